/**
 * Runs a background task after `firstDelayMs`, then `intervalMs` after each run has ended (so runs
 * never overlap), on timers that never keep the process alive.
 */
export class Periodic {
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly firstDelayMs: number,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    const run = (delay: number) => {
      this.timer = setTimeout(() => {
        void this.task().finally(() => {
          if (this.timer) run(this.intervalMs)
        })
      }, delay).unref()
    }
    run(this.firstDelayMs)
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
