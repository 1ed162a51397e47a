import type { Principal } from '../auth/principal.js'
import type { Reach } from '../authz/reach.js'
import type { Clock } from '../clock.js'
import { conflict, forbidden, notFound, unprocessable } from '../errors/app-error.js'
import { checkDefinition, definitionColumns, JOB_ID_PATTERN } from '../jobs/job-definition.js'
import { nextOccurrence } from '../jobs/recurrence.js'
import { parseSchedule } from '../jobs/occurrences.js'
import { scheduledJobView, type JobView, type ScheduledJobView } from '../jobs/job-view.js'
import { retryLostCreate } from './retry-lost-create.js'
import { scheduledJobRepository, type ScheduledJobRow } from '../storage/repositories/job.repository.js'
import type { Store } from '../storage/store.js'
import { checkEtag, expectedEtag, newEtag, insertOrUpdateRead } from './etag.js'
import { invalidJobId, type JobService } from './job.service.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { readPage, type Page, type PageRequest } from './paging.js'
import { requireAt } from './scope-checks.js'

export type ScheduledJobInput = Record<string, unknown>

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** RFC 7386: `patch` applied to `target`. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

const WRITABLE = [
  'displayName',
  'description',
  'group',
  'data',
  'batch',
  'cancellationThreshold',
  'organizations',
  'schedule',
  'enabled',
] as const

/**
 * Scheduled jobs: a job definition with a schedule. The runner starts a job at each occurrence
 * (see ../jobs/occurrences.ts); the definition cannot change while one of them runs.
 */
export class ScheduledJobService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly jobs: JobService,
    private readonly clock: Clock,
  ) {}

  async list(caller: Principal | null, page: PageRequest): Promise<Page<ScheduledJobView>> {
    const scope = (await this.organizations.reachOf(caller)).scope('jobs.read')
    const within = scope.application ? null : [...scope.organizations]
    return readPage(
      page,
      (after, limit) => scheduledJobRepository.page(this.store.db, after, limit, within),
      (rows) => rows.map(scheduledJobView),
    )
  }

  async get(caller: Principal | null, id: string): Promise<ScheduledJobView> {
    const reach = await this.organizations.reachOf(caller)
    const row = readable(reach, await scheduledJobRepository.get(this.store.db, id))
    if (!row) throw notFound(`The scheduled job '${id}'`)
    return scheduledJobView(row)
  }

  /** The jobs its occurrences started, a page at a time. */
  async jobsOf(caller: Principal | null, id: string, page: PageRequest): Promise<Page<JobView>> {
    await this.get(caller, id)
    return this.jobs.list(caller, page, id)
  }

  /** Creates the scheduled job, or replaces its definition and schedule. */
  async put(caller: Principal | null, id: string, input: ScheduledJobInput, ifMatch?: string): Promise<ScheduledJobView> {
    if (!JOB_ID_PATTERN.test(id)) throw unprocessable(invalidJobId('scheduledJobId', id))
    return this.write(caller, id, 'put', input, ifMatch, () => input)
  }

  /** Applies a JSON merge patch (members left out keep their value; `null` removes an optional one). */
  async patch(caller: Principal | null, id: string, patch: ScheduledJobInput, ifMatch?: string): Promise<ScheduledJobView> {
    return this.write(caller, id, 'patch', patch, ifMatch, (current) => {
      const view = scheduledJobView(current as ScheduledJobRow) as unknown as Record<string, unknown>
      const writable: Record<string, unknown> = {}
      for (const key of WRITABLE) if (view[key] !== undefined) writable[key] = view[key]
      const patchable: Record<string, unknown> = {}
      for (const key of WRITABLE) if (key in patch) patchable[key] = patch[key]
      return mergePatch(writable, patchable) as Record<string, unknown>
    })
  }

  async delete(caller: Principal | null, id: string, ifMatch?: string): Promise<void> {
    const reach = await this.organizations.reachOf(caller)
    await this.store.db.transaction().execute(async (trx) => {
      const row = readable(reach, await scheduledJobRepository.get(trx, id))
      if (!row) throw notFound(`The scheduled job '${id}'`)
      requireAt(reach, 'jobs.delete', row.organization_id)
      checkEtag(expectedEtag(undefined, ifMatch), row.etag, `The scheduled job '${id}'`)
      await trx.deleteFrom('scheduled_jobs').where('id', '=', id).execute()
    })
  }

  private async write(
    caller: Principal | null,
    id: string,
    mode: 'put' | 'patch',
    input: ScheduledJobInput,
    ifMatch: string | undefined,
    next: (current: ScheduledJobRow | undefined) => Record<string, unknown>,
  ): Promise<ScheduledJobView> {
    if (input.id !== undefined && input.id !== id) {
      throw unprocessable(`id: is read-only and must be '${id}', the id in the path.`)
    }
    const reach = await this.organizations.reachOf(caller)
    const now = this.clock()
    const row = await retryLostCreate(this.store.db, async (trx) => {
      const stored = await scheduledJobRepository.getForUpdate(trx, id)
      const current = readable(reach, stored)
      if (!current && mode === 'patch') throw notFound(`The scheduled job '${id}'`)
      if (stored && !current) throw conflict(`The scheduled job id '${id}' is already taken; choose another.`)
      const needed = current ? 'jobs.update' : 'jobs.create'
      if (caller && !caller.permissions.has(needed)) {
        throw forbidden(`You do not have permission to do this: it needs ${needed}.`)
      }
      if (current) requireAt(reach, 'jobs.update', current.organization_id)
      const expected = expectedEtag(input.etag, ifMatch)
      if (current || ifMatch) checkEtag(expected, current?.etag ?? null, `The scheduled job '${id}'`)
      const values = next(current)
      const definition = await checkDefinition(trx, reach, this.jobs.groups, values, [needed])
      const schedule = checkSchedule(values.schedule)
      if (values.enabled !== undefined && values.enabled !== null && typeof values.enabled !== 'boolean') {
        throw unprocessable('enabled: must be true or false.')
      }
      const enabled = values.enabled !== false
      if (current && (await scheduledJobRepository.hasActiveOccurrence(trx, id))) {
        throw conflict(`The scheduled job '${id}' has a job running; change it once that job has ended.`)
      }
      const occurrences = current?.occurrences ?? 0
      const nextRun = nextOccurrence(parseSchedule(JSON.stringify(schedule)), occurrences, now)
      const row: ScheduledJobRow = {
        id,
        ...definitionColumns(definition),
        schedule: JSON.stringify(schedule),
        enabled: enabled ? 1 : 0,
        completed: nextRun === null ? 1 : 0,
        occurrences,
        next_run_at: nextRun,
        etag: newEtag(),
        created_at: current?.created_at ?? now,
        updated_at: now,
      }
      await insertOrUpdateRead(
        current?.etag,
        {
          insert: () => scheduledJobRepository.insert(trx, row),
          update: (etag) => scheduledJobRepository.update(trx, row, etag),
        },
        `The scheduled job '${id}'`,
      )
      return row
    }, `The scheduled job '${id}' was created concurrently; retry.`)
    this.jobs.runner.nudge()
    return scheduledJobView(row)
  }
}

function readable(reach: Reach, row: ScheduledJobRow | undefined): ScheduledJobRow | undefined {
  return row && reach.includes('jobs.read', row.organization_id) ? row : undefined
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

/** The schedule, checked, with only its known members. */
function checkSchedule(schedule: unknown): Record<string, unknown> {
  if (!isObject(schedule)) throw unprocessable('schedule: is required ({start, recurrence?, end?}).')
  const { start, recurrence, end } = schedule
  if (typeof start !== 'string' || !DATE_TIME.test(start) || Number.isNaN(Date.parse(start))) {
    throw unprocessable('schedule.start: must be a date and time, e.g. 2026-12-24T08:00:00Z.')
  }
  if (recurrence !== undefined && recurrence !== 'daily' && recurrence !== 'weekly' && recurrence !== 'monthly') {
    throw unprocessable("schedule.recurrence: must be 'daily', 'weekly' or 'monthly'.")
  }
  const checked: Record<string, unknown> = { start, ...(recurrence ? { recurrence } : {}) }
  if (end !== undefined) {
    if (!isObject(end)) throw unprocessable('schedule.end: must be {type: date, date} or {type: occurrences, occurrences}.')
    if (end.type === 'date') {
      if (typeof end.date !== 'string' || Number.isNaN(Date.parse(end.date))) {
        throw unprocessable('schedule.end.date: must be a date, e.g. 2027-01-31.')
      }
      if (Date.parse(end.date) < Date.parse(start)) {
        throw unprocessable('schedule.end.date: must not be before schedule.start.')
      }
      checked.end = { type: 'date', date: end.date }
    } else if (end.type === 'occurrences') {
      const n = end.occurrences
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 999) {
        throw unprocessable('schedule.end.occurrences: must be a whole number from 1 to 999.')
      }
      checked.end = { type: 'occurrences', occurrences: n }
    } else {
      throw unprocessable("schedule.end.type: must be 'date' or 'occurrences'.")
    }
  }
  return checked
}
