import type { Selectable } from 'kysely'
import type { JobDeviceTable, JobTable, ScheduledJobTable } from '../tables/jobs.js'
import { updateWhileEtag } from './etag-update.js'
import type { Executor } from './executor.js'
import { lockingRows } from './row-lock.js'

export type JobRow = Selectable<JobTable>
export type JobDeviceRow = Selectable<JobDeviceTable>
export type ScheduledJobRow = Selectable<ScheduledJobTable>

export interface JobProgress {
  total: number
  pending: number
  completed: number
  failed: number
}

/** `organizations` null: every row; otherwise only rows in those organizations. */
type Within = readonly string[] | null

export const jobRepository = {
  async get(db: Executor, id: string): Promise<JobRow | undefined> {
    return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()
  },

  async page(
    db: Executor,
    after: string | null,
    limit: number,
    within: Within,
    scheduledJobId?: string,
  ): Promise<JobRow[]> {
    if (within !== null && within.length === 0) return []
    let query = db.selectFrom('jobs').selectAll().orderBy('id').limit(limit)
    if (after !== null) query = query.where('id', '>', after)
    if (within !== null) query = query.where('organization_id', 'in', within)
    if (scheduledJobId !== undefined) query = query.where('scheduled_job_id', '=', scheduledJobId)
    return query.execute()
  },

  async insert(db: Executor, row: JobRow): Promise<void> {
    await db.insertInto('jobs').values(row).execute()
  },

  /** Counts per status, for each job of `ids`. */
  async progress(db: Executor, ids: readonly string[]): Promise<Map<string, JobProgress>> {
    const result = new Map<string, JobProgress>()
    for (const id of ids) result.set(id, { total: 0, pending: 0, completed: 0, failed: 0 })
    if (ids.length === 0) return result
    const rows = await db
      .selectFrom('job_devices')
      .select(['job_id', 'status', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('job_id', 'in', ids)
      .groupBy(['job_id', 'status'])
      .execute()
    for (const row of rows) {
      const progress = result.get(row.job_id) as JobProgress
      const n = Number(row.n)
      progress.total += n
      if (row.status === 'pending' || row.status === 'completed' || row.status === 'failed') {
        progress[row.status] += n
      }
    }
    return result
  },

  async devicesPage(db: Executor, jobId: string, after: string | null, limit: number): Promise<JobDeviceRow[]> {
    let query = db
      .selectFrom('job_devices')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('device_id')
      .limit(limit)
    if (after !== null) query = query.where('device_id', '>', after)
    return query.execute()
  },

  /** Sets the status when it is one of `from`; answers whether it was. */
  async transition(db: Executor, id: string, from: readonly string[], to: string, now: number): Promise<boolean> {
    const result = await db
      .updateTable('jobs')
      .set({ status: to, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  },
}

export const scheduledJobRepository = {
  async get(db: Executor, id: string): Promise<ScheduledJobRow | undefined> {
    return db.selectFrom('scheduled_jobs').selectAll().where('id', '=', id).executeTakeFirst()
  },

  /** The scheduled job about to be written in this transaction, locked until it ends (see lockingRows). */
  async getForUpdate(db: Executor, id: string): Promise<ScheduledJobRow | undefined> {
    return lockingRows(db, db.selectFrom('scheduled_jobs').selectAll().where('id', '=', id)).executeTakeFirst()
  },

  async insert(db: Executor, row: ScheduledJobRow): Promise<void> {
    await db.insertInto('scheduled_jobs').values(row).execute()
  },

  /** Writes the row only if its stored etag is still `expectedEtag`; false when it moved on. */
  update(db: Executor, row: ScheduledJobRow, expectedEtag: string): Promise<boolean> {
    return updateWhileEtag(db, 'scheduled_jobs', row, expectedEtag)
  },

  async page(db: Executor, after: string | null, limit: number, within: Within): Promise<ScheduledJobRow[]> {
    if (within !== null && within.length === 0) return []
    let query = db.selectFrom('scheduled_jobs').selectAll().orderBy('id').limit(limit)
    if (after !== null) query = query.where('id', '>', after)
    if (within !== null) query = query.where('organization_id', 'in', within)
    return query.execute()
  },

  /** Whether an occurrence of the scheduled job is still under way (running or stopped). */
  async hasActiveOccurrence(db: Executor, id: string): Promise<boolean> {
    const row = await db
      .selectFrom('jobs')
      .select('id')
      .where('scheduled_job_id', '=', id)
      .where('status', 'in', ['running', 'stopped'])
      .limit(1)
      .executeTakeFirst()
    return row !== undefined
  },
}
