import { createHash } from 'node:crypto'
import { newEtag } from '../services/etag.js'
import type { ScheduledJobRow } from '../storage/repositories/job.repository.js'
import type { Store } from '../storage/store.js'
import { nextOccurrence, type Schedule } from './recurrence.js'

/**
 * The id of occurrence `n` (1-based) of a scheduled job: `<scheduledJobId>-<n>`. When that would
 * pass 255 characters, the scheduled job's id is shortened and a hash of it keeps ids apart.
 */
export function occurrenceJobId(scheduledJobId: string, n: number): string {
  const suffix = `-${n}`
  if (scheduledJobId.length + suffix.length <= 255) return scheduledJobId + suffix
  const hash = createHash('sha256').update(scheduledJobId).digest('hex').slice(0, 16)
  return `${scheduledJobId.slice(0, 255 - suffix.length - hash.length - 1)}-${hash}${suffix}`
}

/** A stored schedule with its times as epoch milliseconds. */
export function parseSchedule(json: string): Schedule {
  const raw = JSON.parse(json) as {
    start: string
    recurrence?: Schedule['recurrence']
    end?: { type: 'date'; date: string } | { type: 'occurrences'; occurrences: number }
  }
  return {
    start: Date.parse(raw.start),
    ...(raw.recurrence ? { recurrence: raw.recurrence } : {}),
    ...(raw.end
      ? {
          end:
            raw.end.type === 'date'
              ? { type: 'date' as const, date: Date.parse(raw.end.date) }
              : { type: 'occurrences' as const, occurrences: raw.end.occurrences },
        }
      : {}),
  }
}

/**
 * Starts a job for each scheduled job whose next occurrence is due. The claim is a conditional
 * update of the scheduled job (its occurrence count and due time), so of several nodes exactly one
 * starts each occurrence; occurrences missed while no node ran are folded into the one started now.
 * Answers how many jobs were started.
 */
export async function startDueOccurrences(store: Store, now: number): Promise<number> {
  const due = await store.db
    .selectFrom('scheduled_jobs')
    .selectAll()
    .where('enabled', '=', 1)
    .where('completed', '=', 0)
    .where('next_run_at', '<=', now)
    .orderBy('next_run_at')
    .limit(20)
    .execute()
  let started = 0
  for (const row of due) {
    if (await startOccurrence(store, row, now)) started++
  }
  return started
}

async function startOccurrence(store: Store, row: ScheduledJobRow, now: number): Promise<boolean> {
  const dueAt = Number(row.next_run_at)
  const n = row.occurrences + 1
  const next = nextOccurrence(parseSchedule(row.schedule), n, Math.max(now, dueAt) + 1)
  return store.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('scheduled_jobs')
      .set({
        occurrences: n,
        next_run_at: next,
        completed: next === null ? 1 : 0,
        etag: next === null ? newEtag() : row.etag,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .where('occurrences', '=', row.occurrences)
      .where('next_run_at', '=', dueAt)
      .where('enabled', '=', 1)
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) === 0) return false
    await trx
      .insertInto('jobs')
      .values({
        id: occurrenceJobId(row.id, n),
        display_name: `${row.display_name ?? row.id} - ${n}`,
        description: row.description,
        group_id: row.group_id,
        data: row.data,
        batch: row.batch,
        cancellation_threshold: row.cancellation_threshold,
        organization_id: row.organization_id,
        scheduled_job_id: row.id,
        status: 'running',
        start_at: now,
        end_at: null,
        snapshot_done: 0,
        snapshot_after: null,
        current_batch: 0,
        lease_owner: null,
        lease_expires: 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
    return true
  })
}
