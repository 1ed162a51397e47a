import { randomBytes } from 'node:crypto'
import type { Principal } from '../auth/principal.js'
import type { Clock } from '../clock.js'
import { auditLogRepository } from '../storage/repositories/audit-log.repository.js'
import type { Store } from '../storage/store.js'
import { requestOrigin } from './request-origin.js'

export type AuditOutcome = 'success' | 'denied' | 'failed'
export type ActorType = 'apiToken' | 'user' | 'operator' | 'anonymous'

export interface Actor {
  type: ActorType
  id: string | null
}

/**
 * One event. It names who, what, which, when, from where and how it ended; it never carries a
 * request body, a token value or a key (there is no field for one).
 */
export interface AuditEvent {
  action: string
  actor: Actor
  target: string | null
  outcome: AuditOutcome
  status: number | null
  /** How many events the record stands for (aggregated failures); 1 by default. */
  count?: number
  /** Defaults to the current request's, when there is one. */
  clientAddress?: string | null
  requestId?: string | null
  at?: number
}

interface ErrorLog {
  error(details: object, message: string): void
}

/** `null` is the operator at the CLI, who works on the store directly. */
export function actorOf(caller: Principal | null): Actor {
  return caller === null ? { type: 'operator', id: null } : { type: caller.type, id: caller.id }
}

/** Distinguishes this process's records from another node's written in the same millisecond. */
const NODE = randomBytes(3).toString('hex')
let sequence = 0

/**
 * An id that sorts as its time does: 15 digits of milliseconds, then this process's sequence
 * number (so records of one millisecond keep their order), then the process's random tag.
 */
export function auditId(atMs: number): string {
  sequence = (sequence + 1) % 36 ** 8
  return `${String(atMs).padStart(15, '0')}-${sequence.toString(36).padStart(8, '0')}-${NODE}`
}

/** Writes audit events to the store. */
export class AuditTrail {
  private log: ErrorLog = { error: (details, message) => console.error(message, details) }

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** The server's logger, once it exists. */
  useLog(log: ErrorLog): void {
    this.log = log
  }

  /**
   * Records the events. A failure to write is logged, never thrown: the change it describes is
   * already committed, and the caller must learn of that, not of the log's trouble.
   */
  async record(...events: AuditEvent[]): Promise<void> {
    if (events.length === 0) return
    const origin = requestOrigin.getStore()
    const now = this.clock()
    const rows = events.map((event) => {
      const at = event.at ?? now
      return {
        id: auditId(at),
        at_ms: at,
        actor_type: event.actor.type,
        actor_id: event.actor.id,
        action: event.action,
        target: event.target,
        client_address: event.clientAddress === undefined ? (origin?.clientAddress ?? null) : event.clientAddress,
        request_id: event.requestId === undefined ? (origin?.requestId ?? null) : event.requestId,
        outcome: event.outcome,
        status: event.status,
        count: event.count ?? 1,
      }
    })
    try {
      await auditLogRepository.insert(this.store.db, rows)
    } catch (error) {
      this.log.error({ err: error, actions: events.map((e) => e.action) }, 'could not write to the audit log')
    }
  }
}
