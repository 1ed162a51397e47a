import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import {
  DEFAULT_IMPORT_BATCH_SIZE,
  ImportFileError,
  MAX_IMPORT_BATCH_SIZE,
  type ImportTotals,
  type RejectedRow,
} from '../../services/device-import.service.js'
import type { CommandContext } from '../command.js'
import { UsageError, type Output } from '../output.js'
import { DEFAULT_MAX_ERRORS, ImportReport } from '../import-report.js'
import { createProgress } from '../progress.js'
import { withServices } from '../store-session.js'

/** `--json` lists this many rejected rows at most; stderr always lists them all. */
const JSON_REJECTED_ROWS = 1000

export async function devicesImport({ args, flags, switches, env, output }: CommandContext) {
  const [file] = args
  if (!file || args.length > 1) throw new UsageError('devices import takes exactly one CSV file')
  const batchSize = readBatchSize(flags['batch-size'])
  const maxErrors = readMaxErrors(flags['max-errors'])
  const dryRun = switches.has('dry-run')
  const update = switches.has('update')
  const size = fileSize(file)
  return withServices(flags, env, output, async (services) => {
    const input = createReadStream(file)
    const read = { bytes: 0 }
    const lines = counted(createInterface({ input, crlfDelay: Infinity }), read)
    const progress = createProgress(process.stderr, size)
    const report = new ImportReport(progress, maxErrors)
    const rejectedRows: RejectedRow[] = []
    const started = performance.now()
    let totals: ImportTotals = { rows: 0, imported: 0, rejected: 0, skipped: 0 }
    try {
      totals = await services.deviceImport.import(lines, {
        batchSize,
        update,
        dryRun,
        onBatch(batch, sofar) {
          totals = sofar
          for (const row of batch.rejected) {
            if (rejectedRows.length < JSON_REJECTED_ROWS) rejectedRows.push(row)
            report.rejected(row)
          }
          if (!batch.written) {
            report.message(
              `${lineRange(batch.firstLine, batch.lastLine)} not imported: their batch holds ${batch.rejected.length} rejected row(s)`,
            )
          }
          progress.update(read.bytes, `${sofar.rows} rows, ${rate(sofar.rows, started)} rows/s`)
        },
      })
      // The bytes counted from the lines miss their carriage returns (CRLF files): the whole
      // file has been read now.
      progress.update(size, `${totals.rows} rows, ${rate(totals.rows, started)} rows/s`)
    } catch (error) {
      if (error instanceof ImportFileError) throw new UsageError(`${file}: ${error.message}`)
      progress.log(
        `stopped: ${totals.imported} of the ${totals.rows} rows read were imported (the batch that failed wrote nothing)`,
      )
      throw error
    } finally {
      progress.finish()
      input.destroy()
    }
    summarize(output, totals, started, switches.has('json') ? rejectedRows : null, dryRun)
    if (totals.imported < totals.rows) report.advise(output, totals, update)
    return totals.imported === totals.rows ? 0 : 1
  })
}

/**
 * The lines, counting the bytes they came from: the stream's own count runs a read-ahead buffer
 * in front of the rows imported, a whole small file at once.
 */
async function* counted(lines: AsyncIterable<string>, read: { bytes: number }) {
  for await (const line of lines) {
    read.bytes += Buffer.byteLength(line) + 1
    yield line
  }
}

function readMaxErrors(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_ERRORS
  if (!/^[0-9]+$/.test(value)) {
    throw new UsageError(`--max-errors must be a whole number (got '${value}')`)
  }
  return Number(value)
}

function readBatchSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_IMPORT_BATCH_SIZE
  const size = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!(size >= 1 && size <= MAX_IMPORT_BATCH_SIZE)) {
    throw new UsageError(
      `--batch-size must be a whole number from 1 to ${MAX_IMPORT_BATCH_SIZE} (got '${value}')`,
    )
  }
  return size
}

function fileSize(file: string): number {
  try {
    const stats = statSync(file)
    if (stats.isFile()) return stats.size
  } catch (error) {
    throw new UsageError(`cannot read '${file}': ${(error as Error).message}`)
  }
  throw new UsageError(`'${file}' is not a file`)
}

const rate = (rows: number, started: number): number =>
  Math.round(rows / Math.max((performance.now() - started) / 1000, 0.001))

function summarize(
  output: Output,
  totals: ImportTotals,
  started: number,
  json: RejectedRow[] | null,
  dryRun: boolean,
) {
  const seconds = (performance.now() - started) / 1000
  const rowsPerSecond = rate(totals.rows, started)
  if (json) {
    output.out(
      JSON.stringify({
        ...totals,
        ...(dryRun ? { dryRun } : {}),
        seconds: Number(seconds.toFixed(3)),
        rowsPerSecond,
        rejectedRows: json,
      }),
    )
    return
  }
  const counts = `in ${seconds.toFixed(1)} s (${rowsPerSecond} rows/s); ${totals.rejected} rejected, ${totals.skipped} skipped with their batch`
  output.out(
    dryRun
      ? `Dry run: ${totals.imported} of ${totals.rows} rows would be imported ${counts}; nothing was written.`
      : `Imported ${totals.imported} of ${totals.rows} rows ${counts}.`,
  )
}

const lineRange = (first: number, last: number): string =>
  first === last ? `line ${first}` : `lines ${first}-${last}`
