import { randomBytes } from 'node:crypto'
import type { Clock } from '../clock.js'

/** How long a first-run setup link works. */
export const SETUP_CODE_TTL_MS = 60 * 60 * 1000

/**
 * One-time setup codes, kept in this process's memory only: the link is printed by the server
 * that made it, so only that server needs to know it, and a restart makes a new one.
 */
export class SetupCodes {
  private readonly open = new Map<string, number>()

  constructor(private readonly clock: Clock) {}

  issue(): string {
    const code = randomBytes(24).toString('base64url')
    this.open.set(code, this.clock() + SETUP_CODE_TTL_MS)
    return code
  }

  isOpen(code: string): boolean {
    const expires = this.open.get(code)
    return expires !== undefined && expires > this.clock()
  }

  /** Takes the code for one use: its expiry, or null when it is unknown, used or expired. */
  claim(code: string): number | null {
    const expires = this.open.get(code)
    if (expires === undefined || expires <= this.clock()) return null
    this.open.delete(code)
    return expires
  }

  /** Gives a claimed code back, with its expiry, when its use failed (a too short password, say). */
  release(code: string, expires: number): void {
    this.open.set(code, expires)
  }
}
