import { randomUUID } from 'node:crypto'
import type { OrganizationTree } from '../authz/organization-tree.js'
import { subtreeOf } from '../authz/organization-tree.js'
import type { Clock } from '../clock.js'
import { newEtag } from '../services/etag.js'
import { jobRepository, type JobRow } from '../storage/repositories/job.repository.js'
import type { Executor } from '../storage/repositories/executor.js'
import type { Store } from '../storage/store.js'
import type { CloudPropertyWriter, DeviceOutcome, JobDeviceActions } from './job-device-actions.js'
import type { JobCancellationThreshold, JobBatch, JobData, TargetedJobData } from './job-definition.js'
import type { JobGroups } from './job-groups.js'
import { startDueOccurrences } from './occurrences.js'

export interface JobRunnerOptions {
  /** How long a node's claim on a job holds without renewal; a dead node's job is taken over after it. */
  leaseMs: number
  /** How many group members are copied into the job per transaction. */
  snapshotPage: number
  /** How many jobs one pass looks at. */
  jobsPerPass: number
}

export const DEFAULT_RUNNER_OPTIONS: JobRunnerOptions = {
  leaseMs: 60_000,
  snapshotPage: 500,
  jobsPerPass: 20,
}

/** What the runner reads from the rest of the server, asked for at each use. */
export interface JobRunnerParts {
  groups(): JobGroups
  actions(): JobDeviceActions
  cloudProperties(): CloudPropertyWriter | null
  organizations(): Promise<OrganizationTree>
}

/** The lease was lost (the job was stopped, or another node took it over): leave the job alone. */
class LeaseLost extends Error {}

/**
 * Carries out jobs, durably: every step is recorded in the store before the next, so a job in
 * progress survives a restart and no device is done twice. A node works on a job only while it
 * holds the job's lease (`UPDATE … WHERE lease_expires < now`), renewed before every device; a
 * node that dies leaves a lease that expires, and another node takes the job over where it was.
 *
 * One step of a job: copy the group's members into the job (once, a page per transaction), then
 * work through one batch. Between batches the lease is released, so nodes share the work.
 */
export class JobRunner {
  /** This node's name in leases. */
  readonly nodeId = randomUUID()
  private readonly options: JobRunnerOptions
  private chain: Promise<unknown> = Promise.resolve()
  private timer: NodeJS.Timeout | null = null
  private interval = 0
  private stopped = false
  private running = false
  private log: { error(object: unknown, message: string): void } | undefined

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly parts: JobRunnerParts,
    options: Partial<JobRunnerOptions> = {},
  ) {
    this.options = { ...DEFAULT_RUNNER_OPTIONS, ...options }
  }

  /**
   * Runs passes every `intervalMs`, and at once after a job is created or resumed; a pass that
   * fails (the store unreachable, …) is logged and tried again after the interval.
   */
  start(intervalMs = 1000, log?: { error(object: unknown, message: string): void }): void {
    this.log = log
    this.stopped = false
    this.running = true
    this.interval = intervalMs
    this.schedule(intervalMs)
  }

  /**
   * Stops the loop and waits (a few seconds at most) for the pass under way, which ends after the
   * device it is on. `runOnce` still works afterwards (tests drive the runner by hand).
   */
  async stop(): Promise<void> {
    this.stopped = true
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    let timeout: NodeJS.Timeout | undefined
    await Promise.race([
      this.chain.catch(() => undefined),
      new Promise((resolve) => {
        timeout = setTimeout(resolve, 5000)
        timeout.unref()
      }),
    ])
    if (timeout) clearTimeout(timeout)
    this.stopped = false
  }

  /** Asks the loop (when started) for a pass soon. */
  nudge(): void {
    if (this.running) this.schedule(0)
  }

  /**
   * One pass: start the scheduled occurrences that are due, then one step of each job this node
   * can claim. Answers whether anything was done. Passes of one node never overlap.
   */
  runOnce(): Promise<boolean> {
    const pass = this.chain.then(() => this.pass())
    this.chain = pass.catch(() => undefined)
    return pass
  }

  /** Passes until one does nothing (tests; at most `maxPasses`). */
  async runUntilIdle(maxPasses = 1000): Promise<void> {
    for (let i = 0; i < maxPasses; i++) if (!(await this.runOnce())) return
  }

  private schedule(delay: number): void {
    if (this.stopped || !this.running) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      this.runOnce()
        .then((did) => this.schedule(did ? 0 : this.interval))
        .catch((error: unknown) => {
          this.log?.error({ err: error }, 'The job runner could not complete a pass; it tries again shortly.')
          this.schedule(this.interval)
        })
    }, delay)
    this.timer.unref()
  }

  private async pass(): Promise<boolean> {
    const now = this.clock()
    let did = (await startDueOccurrences(this.store, now)) > 0
    const candidates = await this.store.db
      .selectFrom('jobs')
      .select('id')
      .where('status', '=', 'running')
      .where((eb) => eb.or([eb('lease_expires', '<', now), eb('lease_owner', '=', this.nodeId)]))
      .orderBy('start_at')
      .orderBy('id')
      .limit(this.options.jobsPerPass)
      .execute()
    for (const { id } of candidates) {
      if (this.stopped) break
      if (!(await this.claim(id))) continue
      did = true
      try {
        await this.step(id)
      } catch (error) {
        if (!(error instanceof LeaseLost)) throw error
      } finally {
        await this.release(id)
      }
    }
    return did
  }

  private async claim(id: string): Promise<boolean> {
    const now = this.clock()
    const result = await this.store.db
      .updateTable('jobs')
      .set({ lease_owner: this.nodeId, lease_expires: now + this.options.leaseMs })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where((eb) => eb.or([eb('lease_expires', '<', now), eb('lease_owner', '=', this.nodeId)]))
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  private async release(id: string): Promise<void> {
    await this.store.db
      .updateTable('jobs')
      .set({ lease_owner: null, lease_expires: 0 })
      .where('id', '=', id)
      .where('lease_owner', '=', this.nodeId)
      .execute()
  }

  /** Renews the lease (in `db`, a transaction when given); throws LeaseLost when it is gone. */
  private async renew(db: Executor, id: string): Promise<void> {
    if (this.stopped) throw new LeaseLost()
    const result = await db
      .updateTable('jobs')
      .set({ lease_expires: this.clock() + this.options.leaseMs })
      .where('id', '=', id)
      .where('lease_owner', '=', this.nodeId)
      .where('status', '=', 'running')
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) throw new LeaseLost()
  }

  /**
   * Keeps the lease alive while a device takes long (a command waiting for its device): renewed
   * every third of the lease. A node that dies stops renewing, and its lease expires.
   */
  private async heartbeat<T>(id: string, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      this.store.db
        .updateTable('jobs')
        .set({ lease_expires: this.clock() + this.options.leaseMs })
        .where('id', '=', id)
        .where('lease_owner', '=', this.nodeId)
        .execute()
        .catch(() => undefined)
    }, Math.max(1000, Math.floor(this.options.leaseMs / 3)))
    timer.unref()
    try {
      return await work()
    } finally {
      clearInterval(timer)
    }
  }

  private async step(id: string): Promise<void> {
    let job = await jobRepository.get(this.store.db, id)
    if (!job || job.status !== 'running') return
    if (job.snapshot_done !== 1) {
      await this.snapshot(job)
      job = (await jobRepository.get(this.store.db, id)) as JobRow
    }
    const batch = await this.currentBatch(job)
    if (batch === null) return
    const data = JSON.parse(job.data) as JobData[]
    const threshold = job.cancellation_threshold
      ? (JSON.parse(job.cancellation_threshold) as JobCancellationThreshold)
      : null
    const pending = await this.store.db
      .selectFrom('job_devices')
      .select('device_id')
      .where('job_id', '=', id)
      .where('batch', '=', batch)
      .where('status', '=', 'pending')
      .orderBy('device_id')
      .execute()
    for (const { device_id: deviceId } of pending) {
      await this.renew(this.store.db, id)
      const outcome = await this.heartbeat(id, () => this.perform(job, data, deviceId))
      await this.store.db.transaction().execute(async (trx) => {
        await this.renew(trx, id)
        const now = this.clock()
        if (outcome.status === 'completed' && data[0]?.type === 'deviceTemplateMigration') {
          // The move and its record commit together: a device is never moved twice.
          await trx
            .updateTable('devices')
            .set({ template: data[0].template, etag: newEtag(), updated_at: Math.floor(now / 1000) })
            .where('id', '=', deviceId)
            .execute()
        }
        await trx
          .updateTable('job_devices')
          .set({
            status: outcome.status,
            reason: outcome.status === 'failed' ? outcome.reason : null,
            updated_at: now,
          })
          .where('job_id', '=', id)
          .where('device_id', '=', deviceId)
          .where('status', '=', 'pending')
          .execute()
      })
      if (outcome.status === 'failed' && threshold && (await this.crossed(job, batch, threshold))) {
        await this.finish(id, 'cancelled')
        return
      }
    }
  }

  /** Copies the group's members (within the job's organization) into the job, a page per transaction. */
  private async snapshot(job: JobRow): Promise<void> {
    let after = job.snapshot_after
    for (;;) {
      const members = await this.parts.groups().membersPage(job.group_id, after, this.options.snapshotPage)
      const tree = job.organization_id === null ? null : await this.parts.organizations()
      const reach = tree && job.organization_id !== null ? subtreeOf(tree, job.organization_id) : null
      const rows = members
        .filter((device) => reach === null || (device.organization_id !== null && reach.has(device.organization_id)))
        .map((device) => ({
          job_id: job.id,
          device_id: device.id,
          status: 'pending',
          batch: null,
          reason: null,
          updated_at: this.clock(),
        }))
      const done = members.length < this.options.snapshotPage
      const last = members[members.length - 1]?.id ?? after
      await this.store.db.transaction().execute(async (trx) => {
        await this.renew(trx, job.id)
        if (rows.length > 0) {
          await trx
            .insertInto('job_devices')
            .values(rows)
            .onConflict((oc) => oc.columns(['job_id', 'device_id']).doNothing())
            .execute()
        }
        await trx
          .updateTable('jobs')
          .set({ snapshot_after: last, snapshot_done: done ? 1 : 0 })
          .where('id', '=', job.id)
          .execute()
      })
      if (done) return
      after = last
    }
  }

  /**
   * The batch to work on: the current one while it has pending devices, else the next one
   * (assigned now). Null when the job is over (and then it is marked complete).
   */
  private async currentBatch(job: JobRow): Promise<number | null> {
    const db = this.store.db
    if (job.current_batch > 0) {
      const left = await db
        .selectFrom('job_devices')
        .select('device_id')
        .where('job_id', '=', job.id)
        .where('batch', '=', job.current_batch)
        .where('status', '=', 'pending')
        .limit(1)
        .executeTakeFirst()
      if (left) return job.current_batch
    }
    const size = await this.batchSize(job)
    const next = job.current_batch + 1
    const assigned = await db.transaction().execute(async (trx) => {
      await this.renew(trx, job.id)
      const ids = (
        await trx
          .selectFrom('job_devices')
          .select('device_id')
          .where('job_id', '=', job.id)
          .where('batch', 'is', null)
          .where('status', '=', 'pending')
          .orderBy('device_id')
          .limit(size)
          .execute()
      ).map((row) => row.device_id)
      if (ids.length === 0) return 0
      for (let i = 0; i < ids.length; i += 1000) {
        await trx
          .updateTable('job_devices')
          .set({ batch: next })
          .where('job_id', '=', job.id)
          .where('device_id', 'in', ids.slice(i, i + 1000))
          .execute()
      }
      await trx.updateTable('jobs').set({ current_batch: next }).where('id', '=', job.id).execute()
      return ids.length
    })
    if (assigned === 0) {
      await this.finish(job.id, 'complete')
      return null
    }
    return next
  }

  private async batchSize(job: JobRow): Promise<number> {
    if (job.batch === null) return Number.MAX_SAFE_INTEGER
    const batch = JSON.parse(job.batch) as JobBatch
    if (batch.type === 'number') return batch.value
    const total = (await jobRepository.progress(this.store.db, [job.id])).get(job.id)?.total ?? 0
    return Math.max(1, Math.ceil((total * batch.value) / 100))
  }

  /** Whether the failures exceed the threshold: over the whole job, or within the current batch. */
  private async crossed(job: JobRow, batch: number, threshold: JobCancellationThreshold): Promise<boolean> {
    let query = this.store.db
      .selectFrom('job_devices')
      .select(['status', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('job_id', '=', job.id)
      .groupBy('status')
    if (threshold.batch === true) query = query.where('batch', '=', batch)
    const counts = await query.execute()
    let failed = 0
    let total = 0
    for (const row of counts) {
      total += Number(row.n)
      if (row.status === 'failed') failed += Number(row.n)
    }
    return threshold.type === 'number' ? failed > threshold.value : failed * 100 > threshold.value * total
  }

  private async finish(id: string, status: 'complete' | 'cancelled'): Promise<void> {
    const now = this.clock()
    await this.store.db
      .updateTable('jobs')
      .set({ status, end_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('lease_owner', '=', this.nodeId)
      .execute()
  }

  /** What the job does to one device; the outcome is recorded by the caller. */
  private async perform(job: JobRow, data: JobData[], deviceId: string): Promise<DeviceOutcome> {
    const device = await this.store.db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst()
    if (!device) return { status: 'failed', reason: 'the device no longer exists.' }
    const first = data[0]
    if (!first) return { status: 'failed', reason: 'the job has nothing to do.' }
    if (first.type === 'deviceTemplateMigration') {
      const template = await this.store.db
        .selectFrom('device_templates')
        .select('id')
        .where('id', '=', first.template)
        .executeTakeFirst()
      return template
        ? { status: 'completed' }
        : { status: 'failed', reason: `the device template '${first.template}' no longer exists.` }
    }
    const entries = (data as TargetedJobData[]).filter((entry) => entry.target === device.template)
    if (entries.length === 0) {
      return { status: 'failed', reason: `the device's template is not '${first.target}'.` }
    }
    try {
      if (first.type === 'cloudProperty') {
        const writer = this.parts.cloudProperties()
        if (!writer) return { status: 'failed', reason: 'cloud properties cannot be written yet.' }
        const byComponent = new Map<string | null, Record<string, unknown>>()
        for (const entry of entries) {
          const dot = entry.path.indexOf('.')
          const component = dot < 0 ? null : entry.path.slice(0, dot)
          const name = dot < 0 ? entry.path : entry.path.slice(dot + 1)
          const values = byComponent.get(component) ?? {}
          values[name] = entry.value
          byComponent.set(component, values)
        }
        for (const [component, values] of byComponent) {
          await writer.writeCloudProperties(device.id, component, values)
        }
        return { status: 'completed' }
      }
      const context = { jobId: job.id, device, entries }
      const actions = this.parts.actions()
      return first.type === 'property' ? await actions.writeProperties(context) : await actions.runCommands(context)
    } catch (error) {
      return { status: 'failed', reason: error instanceof Error ? error.message : String(error) }
    }
  }
}
