import { sql } from 'kysely'
import type { Clock } from '../clock.js'
import { deviceTemplateRepository } from '../storage/repositories/device-template.repository.js'
import {
  deviceRepository,
  MAX_DEVICES_PER_STATEMENT,
} from '../storage/repositories/device.repository.js'
import type { Executor } from '../storage/repositories/executor.js'
import type { DeviceRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import { csvRecords } from './csv-records.js'
import {
  importColumns,
  ImportFileError,
  isRejected,
  readCandidate,
  type ImportCandidate,
  type RejectedRow,
} from './device-import-rows.js'
import { newEtags } from './etag.js'
import type { OrganizationCatalog } from './organization-catalog.js'

export { ImportFileError, type RejectedRow }

/** A batch is one statement, so it is bounded by the store's limit on bound parameters. */
export const MAX_IMPORT_BATCH_SIZE = MAX_DEVICES_PER_STATEMENT
export const DEFAULT_IMPORT_BATCH_SIZE = 1000

export interface ImportOptions {
  /** Rows per transaction, 1 to MAX_IMPORT_BATCH_SIZE. */
  batchSize: number
  /** Replace devices whose id exists instead of refusing those rows. */
  update: boolean
  /** Called after each batch, written or not. */
  onBatch?(batch: BatchOutcome, totals: ImportTotals): void
}

export interface ImportTotals {
  /** Data rows read (the header and blank lines not counted). */
  rows: number
  imported: number
  /** Rows that are wrong in themselves. */
  rejected: number
  /** Good rows left out because their batch held a rejected one. */
  skipped: number
}

export interface BatchOutcome {
  firstLine: number
  lastLine: number
  rows: number
  written: boolean
  /** The batch's bad rows, in line order; empty when it was written. */
  rejected: RejectedRow[]
}

/**
 * Bulk device import from IoT Central's CSV format. Rows are read as a stream and written in
 * batches, each batch in one transaction and only if every row in it passes the same checks as
 * `PUT /api/devices/{id}`: a batch holding a bad row writes nothing, is reported row by row, and
 * the import goes on with the next batch. The caller is the operator at the CLI: every
 * organization is within reach.
 */
/** Imports at least this large leave PostgreSQL's statistics out of date enough to matter. */
const ANALYZE_AFTER_ROWS = 10_000

export class DeviceImportService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly clock: Clock,
  ) {}

  /** Imports the file whose lines are given; throws ImportFileError when it has no usable header. */
  async import(lines: AsyncIterable<string>, options: ImportOptions): Promise<ImportTotals> {
    const { batchSize } = options
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_IMPORT_BATCH_SIZE) {
      throw new RangeError(
        `the batch size must be a whole number from 1 to ${MAX_IMPORT_BATCH_SIZE}`,
      )
    }
    const records = csvRecords(lines)
    const header = await records.next()
    if (header.done) {
      throw new ImportFileError(
        'the file is empty: its first row must be a header (IOTC_DEVICEID or id, …)',
      )
    }
    const columns = importColumns(header.value)
    const totals: ImportTotals = { rows: 0, imported: 0, rejected: 0, skipped: 0 }
    let batch: (ImportCandidate | RejectedRow)[] = []
    const flush = async () => {
      const outcome = await this.writeBatch(batch, options.update)
      totals.rows += outcome.rows
      totals.rejected += outcome.rejected.length
      if (outcome.written) totals.imported += outcome.rows
      else totals.skipped += outcome.rows - outcome.rejected.length
      batch = []
      options.onBatch?.(outcome, { ...totals })
    }
    for await (const record of records) {
      batch.push(readCandidate(record, columns))
      if (batch.length === batchSize) await flush()
    }
    if (batch.length > 0) await flush()
    await this.refreshStatistics(totals.imported)
    return totals
  }

  /**
   * After a bulk import, PostgreSQL's planner still holds the statistics of the table before it
   * (autovacuum analyzes it later, at its own pace), and may page a device group along the wrong
   * index until then; the table is analyzed at once instead. SQLite keeps no statistics to refresh.
   */
  private async refreshStatistics(imported: number): Promise<void> {
    if (this.store.dialect !== 'postgres' || imported < ANALYZE_AFTER_ROWS) return
    await sql`analyze devices`.execute(this.store.db)
  }

  private async writeBatch(
    batch: (ImportCandidate | RejectedRow)[],
    update: boolean,
  ): Promise<BatchOutcome> {
    const outcome = {
      firstLine: (batch[0] as { line: number }).line,
      lastLine: (batch[batch.length - 1] as { line: number }).line,
      rows: batch.length,
    }
    const rejected = batch.filter(isRejected)
    const candidates = batch.filter((row): row is ImportCandidate => !isRejected(row))
    rejected.push(...repeatedIds(candidates))
    const { records: organizations } = await this.organizations.current()
    for (const row of candidates) {
      if (row.organization !== null && !organizations.has(row.organization)) {
        rejected.push({
          line: row.line,
          id: row.id,
          reason: `organization: '${row.organization}' does not exist`,
        })
      }
    }
    const now = Math.floor(this.clock() / 1000)
    await this.store.db
      .transaction()
      .execute(async (trx) => {
        rejected.push(...(await unknownTemplates(trx, candidates)))
        if (rejected.length > 0) return
        const etags = newEtags(candidates.length)
        const rows = candidates.map((row, i) => toRow(row, etags[i] as string, now))
        if (update) await deviceRepository.upsertMany(trx, rows)
        // Existing ids are looked for only when some row was not inserted: the usual batch has none.
        else if ((await deviceRepository.insertNew(trx, rows)) < rows.length) throw new IdsTaken()
      })
      .catch(async (error: unknown) => {
        if (!(error instanceof IdsTaken)) throw error
        const taken = await takenIds(this.store.db, candidates)
        // Gone again already (another writer deleted it): the batch still wrote nothing; say so.
        const reason = 'a device id of this batch was taken while it was written; import it again'
        rejected.push(...(taken.length > 0 ? taken : [{ line: outcome.firstLine, reason }]))
      })
    const byLine = oneEntryPerLine(rejected)
    if (byLine.length === 0 && update) {
      // Devices the import disabled lose their sessions at once.
      for (const row of candidates) if (!row.enabled) await this.store.changes.publish('device', row.id)
    }
    return { ...outcome, written: byLine.length === 0, rejected: byLine }
  }
}

/** The rejections in line order, a row's several reasons joined into one entry. */
function oneEntryPerLine(rejected: RejectedRow[]): RejectedRow[] {
  const byLine = new Map<number, RejectedRow>()
  for (const row of rejected) {
    const earlier = byLine.get(row.line)
    if (earlier) earlier.reason += `; ${row.reason}`
    else byLine.set(row.line, { ...row })
  }
  return [...byLine.values()].sort((a, b) => a.line - b.line)
}

/** Rolls back a batch in which some id was taken. */
class IdsTaken extends Error {}

/** A row whose id an earlier row of the same batch already has (one statement cannot hold both). */
function repeatedIds(candidates: ImportCandidate[]): RejectedRow[] {
  const firstLine = new Map<string, number>()
  const repeated: RejectedRow[] = []
  for (const row of candidates) {
    const earlier = firstLine.get(row.id)
    if (earlier === undefined) firstLine.set(row.id, row.line)
    else
      repeated.push({
        line: row.line,
        id: row.id,
        reason: `the device id is already on line ${earlier}`,
      })
  }
  return repeated
}

async function unknownTemplates(
  db: Executor,
  candidates: ImportCandidate[],
): Promise<RejectedRow[]> {
  const named = [
    ...new Set(candidates.flatMap((row) => (row.template === null ? [] : [row.template]))),
  ]
  const known = await deviceTemplateRepository.existingIds(db, named)
  return candidates
    .filter((row) => row.template !== null && !known.has(row.template))
    .map((row) => ({
      line: row.line,
      id: row.id,
      reason: `template: '${row.template}' does not exist`,
    }))
}

async function takenIds(db: Executor, candidates: ImportCandidate[]): Promise<RejectedRow[]> {
  const taken = await deviceRepository.existingIds(
    db,
    candidates.map((row) => row.id),
  )
  return candidates
    .filter((row) => taken.has(row.id))
    .map((row) => ({
      line: row.line,
      id: row.id,
      reason: 'a device with this id exists (--update replaces it)',
    }))
}

function toRow(row: ImportCandidate, etag: string, now: number): DeviceRow {
  return {
    id: row.id,
    display_name: row.displayName,
    template: row.template,
    enabled: row.enabled ? 1 : 0,
    provisioned: 0,
    simulated: row.simulated ? 1 : 0,
    organization_id: row.organization,
    etag,
    created_at: now,
    updated_at: now,
  }
}
