import type { Principal } from '../auth/principal.js'
import type { Reach } from '../authz/reach.js'
import type { Clock } from '../clock.js'
import { conflict, notFound, unprocessable } from '../errors/app-error.js'
import { checkDefinition, definitionColumns, JOB_ID_PATTERN, type JobDefinitionInput } from '../jobs/job-definition.js'
import type { CloudPropertyWriter, JobDeviceActions } from '../jobs/job-device-actions.js'
import { unreachableDevices } from '../jobs/job-device-actions.js'
import type { JobGroups } from '../jobs/job-groups.js'
import { noGroups } from '../jobs/job-groups.js'
import { JobRunner, type JobRunnerOptions } from '../jobs/job-runner.js'
import { jobView, type JobView } from '../jobs/job-view.js'
import { isUniqueViolation } from '../storage/is-unique-violation.js'
import { jobRepository, type JobRow } from '../storage/repositories/job.repository.js'
import type { Store } from '../storage/store.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { readPage, type Page, type PageRequest } from './paging.js'
import { requireAt } from './scope-checks.js'

export interface JobInput extends JobDefinitionInput {
  id?: unknown
}

export interface JobDeviceStatusView {
  id: string
  status: string
}

/** Why `id` is refused as a job id. */
export const invalidJobId = (field: string, id: string): string =>
  `${field}: '${id}' is not a valid id (1-255 letters, digits, '_' or '-').`

/**
 * Jobs: created and started by PUT, then carried out by the runner, a batch at a time, on every
 * node that shares the store. What a job needs from elsewhere (device groups, cloud properties,
 * the devices themselves) is plugged in through `use…`, so those parts never touch the runner.
 */
export class JobService {
  private groupSource: JobGroups = noGroups
  private deviceActions: JobDeviceActions = unreachableDevices
  private cloudWriter: CloudPropertyWriter | null = null
  readonly runner: JobRunner

  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly clock: Clock,
    runnerOptions: Partial<JobRunnerOptions> = {},
  ) {
    this.runner = new JobRunner(
      store,
      clock,
      {
        groups: () => this.groupSource,
        actions: () => this.deviceActions,
        cloudProperties: () => this.cloudWriter,
        organizations: () => this.organizations.current().then((o) => o.tree),
      },
      runnerOptions,
    )
  }

  get groups(): JobGroups {
    return this.groupSource
  }

  useGroups(groups: JobGroups): void {
    this.groupSource = groups
  }

  /** Installs what writes device properties and runs commands on devices. */
  useDeviceActions(actions: JobDeviceActions): void {
    this.deviceActions = actions
  }

  useCloudProperties(writer: CloudPropertyWriter): void {
    this.cloudWriter = writer
  }

  async list(caller: Principal | null, page: PageRequest, scheduledJobId?: string): Promise<Page<JobView>> {
    const scope = (await this.organizations.reachOf(caller)).scope('jobs.read')
    const within = scope.application ? null : [...scope.organizations]
    return readPage(
      page,
      (after, limit) => jobRepository.page(this.store.db, after, limit, within, scheduledJobId),
      (rows) => this.views(rows),
    )
  }

  async get(caller: Principal | null, id: string): Promise<JobView> {
    const reach = await this.organizations.reachOf(caller)
    const row = readable(reach, await jobRepository.get(this.store.db, id))
    if (!row) throw notFound(`The job '${id}'`)
    return (await this.views([row]))[0] as JobView
  }

  /** The devices of a job with their status, a page at a time. */
  async devices(caller: Principal | null, id: string, page: PageRequest): Promise<Page<JobDeviceStatusView>> {
    const reach = await this.organizations.reachOf(caller)
    if (!readable(reach, await jobRepository.get(this.store.db, id))) throw notFound(`The job '${id}'`)
    const result = await readPage(
      page,
      async (after, limit) =>
        (await jobRepository.devicesPage(this.store.db, id, after, limit)).map((row) => ({
          id: row.device_id,
          status: row.status,
        })),
      (rows) => rows,
    )
    return result
  }

  /** Creates the job and starts it; a job is never replaced (409 on an existing id). */
  async create(caller: Principal | null, id: string, input: JobInput): Promise<JobView> {
    if (!JOB_ID_PATTERN.test(id)) throw unprocessable(invalidJobId('jobId', id))
    if (input.id !== undefined && input.id !== id) {
      throw unprocessable(`id: is read-only and must be '${id}', the id in the path.`)
    }
    const reach = await this.organizations.reachOf(caller)
    const now = this.clock()
    const row = await this.store.db
      .transaction()
      .execute(async (trx) => {
        const definition = await checkDefinition(trx, reach, this.groupSource, input, [
          'jobs.create',
          'jobs.execute',
        ])
        if (await jobRepository.get(trx, id)) throw conflict(`The job id '${id}' is already taken; choose another.`)
        const row = newJobRow(id, definition, null, now)
        await jobRepository.insert(trx, row)
        return row
      })
      .catch(rethrowTaken(id))
    this.runner.nudge()
    return jobView(row, { total: 0, pending: 0, completed: 0, failed: 0 })
  }

  async stop(caller: Principal | null, id: string): Promise<void> {
    const row = await this.controllable(caller, id)
    if (row.status === 'stopped') return
    if (!(await jobRepository.transition(this.store.db, id, ['running'], 'stopped', this.clock()))) {
      const now = await jobRepository.get(this.store.db, id)
      if (now?.status === 'stopped') return
      throw conflict(`The job '${id}' has ended (${now?.status ?? 'deleted'}); only a running job can be stopped.`)
    }
  }

  async resume(caller: Principal | null, id: string): Promise<void> {
    const row = await this.controllable(caller, id)
    if (row.status === 'running') return
    const result = await this.store.db
      .updateTable('jobs')
      .set({ status: 'running', lease_owner: null, lease_expires: 0, updated_at: this.clock() })
      .where('id', '=', id)
      .where('status', '=', 'stopped')
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) {
      const now = await jobRepository.get(this.store.db, id)
      if (now?.status === 'running') return
      throw conflict(`The job '${id}' has ended (${now?.status ?? 'deleted'}); only a stopped job can be resumed.`)
    }
    this.runner.nudge()
  }

  /** A new job `rerunId`, with the definition of `id`, over the devices where `id` failed. */
  async rerun(caller: Principal | null, id: string, rerunId: string): Promise<JobView> {
    await this.controllable(caller, id)
    if (!JOB_ID_PATTERN.test(rerunId)) throw unprocessable(invalidJobId('rerunId', rerunId))
    const now = this.clock()
    const row = await this.store.db
      .transaction()
      .execute(async (trx) => {
        const current = await jobRepository.get(trx, id)
        if (!current) throw notFound(`The job '${id}'`)
        if (current.status === 'running' || current.status === 'stopped') {
          throw conflict(`The job '${id}' is still ${current.status}; rerun it once it has ended.`)
        }
        if (await jobRepository.get(trx, rerunId)) {
          throw conflict(`The job id '${rerunId}' is already taken; choose another.`)
        }
        const failed = await trx
          .selectFrom('job_devices')
          .select('device_id')
          .where('job_id', '=', id)
          .where('status', '=', 'failed')
          .limit(1)
          .executeTakeFirst()
        if (!failed) throw conflict(`The job '${id}' has no failed devices to run again.`)
        const row: JobRow = {
          ...current,
          id: rerunId,
          scheduled_job_id: null,
          status: 'running',
          start_at: now,
          end_at: null,
          snapshot_done: 1,
          snapshot_after: null,
          current_batch: 0,
          lease_owner: null,
          lease_expires: 0,
          created_at: now,
          updated_at: now,
        }
        await jobRepository.insert(trx, row)
        await trx
          .insertInto('job_devices')
          .columns(['job_id', 'device_id', 'status', 'batch', 'reason', 'updated_at'])
          .expression((eb) =>
            eb
              .selectFrom('job_devices')
              .select([
                eb.val(rerunId).as('job_id'),
                'device_id',
                eb.val('pending').as('status'),
                eb.val(null).as('batch'),
                eb.val(null).as('reason'),
                eb.val(now).as('updated_at'),
              ])
              .where('job_id', '=', id)
              .where('status', '=', 'failed'),
          )
          .execute()
        return row
      })
      .catch(rethrowTaken(rerunId))
    this.runner.nudge()
    return (await this.views([row]))[0] as JobView
  }

  /** The job, when the caller sees it and may execute jobs where it is. */
  private async controllable(caller: Principal | null, id: string): Promise<JobRow> {
    const reach = await this.organizations.reachOf(caller)
    const row = readable(reach, await jobRepository.get(this.store.db, id))
    if (!row) throw notFound(`The job '${id}'`)
    requireAt(reach, 'jobs.execute', row.organization_id)
    return row
  }

  private async views(rows: JobRow[]): Promise<JobView[]> {
    const progress = await jobRepository.progress(
      this.store.db,
      rows.map((row) => row.id),
    )
    return rows.map((row) => jobView(row, progress.get(row.id) ?? { total: 0, pending: 0, completed: 0, failed: 0 }))
  }
}

/** A fresh running job row, for a PUT or a scheduled occurrence. */
export function newJobRow(
  id: string,
  definition: Parameters<typeof definitionColumns>[0],
  scheduledJobId: string | null,
  now: number,
): JobRow {
  return {
    id,
    ...definitionColumns(definition),
    scheduled_job_id: scheduledJobId,
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
  }
}

function readable(reach: Reach, row: JobRow | undefined): JobRow | undefined {
  return row && reach.includes('jobs.read', row.organization_id) ? row : undefined
}

const rethrowTaken =
  (id: string) =>
  (error: unknown): never => {
    if (isUniqueViolation(error)) throw conflict(`The job id '${id}' is already taken; choose another.`)
    throw error
  }
