/** Where progress is drawn: stderr, which is a terminal or not. */
export interface ProgressStream {
  isTTY?: boolean
  write(text: string): unknown
}

/**
 * How far a job through a file has come. On a terminal, a bar redrawn in place (at most ten times a
 * second); otherwise, for logs and pipes, a plain line each time another tenth of the file is done.
 * Messages go through `log` so they never land in the middle of the bar.
 */
export interface Progress {
  /** `done` and `total` are bytes of the file; `detail` says what they amount to. */
  update(done: number, detail: string): void
  log(line: string): void
  finish(): void
}

const BAR_WIDTH = 30
const REDRAW_MS = 100

export function createProgress(stream: ProgressStream, total: number): Progress {
  return stream.isTTY ? new TerminalBar(stream, total) : new PlainLines(stream, total)
}

const percent = (done: number, total: number): number =>
  total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100

class TerminalBar implements Progress {
  private drawn = ''
  private drawnAt = 0

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
  ) {}

  update(done: number, detail: string): void {
    const now = performance.now()
    if (now - this.drawnAt < REDRAW_MS && done < this.total) return
    this.drawnAt = now
    const filled = Math.round((percent(done, this.total) / 100) * BAR_WIDTH)
    this.drawn = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(percent(done, this.total)).padStart(3)}%  ${detail}`
    this.stream.write(`\r\x1b[K${this.drawn}`)
  }

  log(line: string): void {
    this.stream.write(`\r\x1b[K${line}\n${this.drawn}`)
  }

  finish(): void {
    if (this.drawn !== '') this.stream.write('\n')
    this.drawn = ''
  }
}

class PlainLines implements Progress {
  private nextTenth = 1

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
  ) {}

  update(done: number, detail: string): void {
    const reached = percent(done, this.total)
    if (reached < this.nextTenth * 10) return
    this.nextTenth = Math.floor(reached / 10) + 1
    this.stream.write(`${reached}%  ${detail}\n`)
  }

  log(line: string): void {
    this.stream.write(`${line}\n`)
  }

  finish(): void {}
}
