import type { ImportTotals, RejectedRow } from '../services/device-import.service.js'
import type { Output } from './output.js'
import type { Progress } from './progress.js'

export const DEFAULT_MAX_ERRORS = 20

/**
 * The messages of an import, at most `maxErrors` of them printed (a check failing on every row
 * would print as many lines as the file has), and what the rejected rows have in common, so the
 * advice at the end fits what went wrong.
 */
export class ImportReport {
  private shown = 0
  private notShown = 0
  private readonly missingTemplates = new Map<string, number>()
  private existing = 0
  private otherRejected = 0

  constructor(
    private readonly progress: Progress,
    private readonly maxErrors: number,
  ) {}

  rejected(row: RejectedRow): void {
    const template = /^template: '(.*)' does not exist$/.exec(row.reason)
    if (template) {
      const name = template[1] as string
      this.missingTemplates.set(name, (this.missingTemplates.get(name) ?? 0) + 1)
    } else if (row.reason.startsWith('a device with this id exists')) this.existing++
    else this.otherRejected++
    this.message(`line ${row.line}${row.id ? ` (${row.id})` : ''}: ${row.reason}`)
  }

  message(line: string): void {
    if (this.shown < this.maxErrors) {
      this.shown++
      this.progress.log(line)
    } else this.notShown++
  }

  /** The count of messages left out, and advice for each kind of rejection. */
  advise(output: Output, totals: ImportTotals, update: boolean): void {
    if (this.notShown > 0) {
      output.err(`${this.notShown} more messages not shown (--max-errors ${this.maxErrors}; --json lists the rows)`)
    }
    // Rows already imported would be refused as existing on a second run: --update re-imports them
    // with the same values.
    const again =
      totals.imported > 0 && !update
        ? 'import the file again with --update (the rows already imported are then rewritten with the same values, not refused)'
        : 'import the file again'
    const templates = [...this.missingTemplates.values()].reduce((a, b) => a + b, 0)
    if (templates > 0) {
      output.err(
        `${templates} row(s) name a device template that does not exist (${[...this.missingTemplates.keys()].join(', ')}): create it first (PUT /api/deviceTemplates/{id}) or correct the template column, then ${again}.`,
      )
    }
    if (this.existing > 0) {
      output.err(
        `${this.existing} row(s) name a device that exists: import the file again with --update to replace them (only the columns the file has).`,
      )
    }
    const skipped = totals.skipped > 0 ? `; the ${totals.skipped} good row(s) left out with their batch are imported then too` : ''
    if (this.otherRejected > 0) output.err(`Fix the other rejected rows, then ${again}${skipped}.`)
    else if (skipped && templates === 0 && this.existing === 0) output.err(`Then ${again}${skipped}.`)
  }
}
