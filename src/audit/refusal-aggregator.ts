import type { Clock } from '../clock.js'
import type { AuditEvent, AuditTrail } from './audit-trail.js'

/** How long a run of refusals from one source is folded into one record. */
export const REFUSAL_WINDOW_MS = 60_000
/** Sources tracked per window; refusals from any further ones share one overflow record. */
export const MAX_SOURCES_PER_WINDOW = 100

interface Run {
  event: AuditEvent
  repeats: number
}

/**
 * Refused requests (failed authentication, missing permission) come from whoever can reach the
 * port, so they must not be able to flood the store. Per source (client address and claimed
 * actor) and per window: the first refusal is recorded at once, with `count: 1`; the ones after
 * it in that window are only counted, and written as one record (`count`: how many) when the
 * window closes. Past MAX_SOURCES_PER_WINDOW sources, all others share one record without
 * address or actor. So a window writes at most 2 × (MAX_SOURCES_PER_WINDOW + 1) records per node,
 * however many requests arrive.
 */
export class RefusalAggregator {
  private runs = new Map<string, Run>()
  private timer: NodeJS.Timeout | null = null
  private pending: Promise<void> = Promise.resolve()

  constructor(
    private readonly trail: AuditTrail,
    private readonly clock: Clock,
    private readonly windowMs = REFUSAL_WINDOW_MS,
  ) {}

  refused(event: AuditEvent): void {
    let key = `${event.action}\u0000${event.clientAddress ?? ''}\u0000${event.actor.type}\u0000${event.actor.id ?? ''}`
    if (!this.runs.has(key) && this.runs.size >= MAX_SOURCES_PER_WINDOW) {
      key = `${event.action}\u0000overflow`
      if (!this.runs.has(key)) event = { ...event, actor: { type: 'anonymous', id: null }, clientAddress: null, target: null }
    }
    const run = this.runs.get(key)
    if (run) {
      run.repeats++
      return
    }
    const first = { ...event, at: this.clock() }
    this.runs.set(key, { event: first, repeats: 0 })
    this.write([first])
    this.timer ??= setTimeout(() => this.closeWindow(), this.windowMs).unref()
  }

  /** Writes what the window counted and starts a new one. */
  closeWindow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const repeats = [...this.runs.values()]
      .filter((run) => run.repeats > 0)
      .map((run): AuditEvent => ({ ...run.event, count: run.repeats, requestId: null, at: this.clock() }))
    this.runs = new Map()
    this.write(repeats)
    return this.pending
  }

  private write(events: AuditEvent[]): void {
    if (events.length === 0) return
    this.pending = this.pending.then(() => this.trail.record(...events))
  }
}
