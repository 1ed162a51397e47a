import { UsageError } from './output.js'

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/**
 * `--expires-in 30d` / `12h` / `90m` as an ISO expiry from `now`. Only whole numbers of minutes,
 * hours or days: anything else is a usage mistake, reported before the store is opened.
 */
export function expiryIn(relative: string, now: number): string {
  const match = /^([1-9][0-9]{0,6})([mhd])$/.exec(relative.trim())
  if (!match) {
    throw new UsageError(`--expires-in: '${relative}' is not a duration like 30d, 12h or 90m`)
  }
  const [, amount, unit] = match as unknown as [string, string, keyof typeof UNIT_MS]
  return new Date(now + Number(amount) * UNIT_MS[unit]).toISOString()
}
