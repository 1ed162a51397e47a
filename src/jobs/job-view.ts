import type { JobProgress, JobRow, ScheduledJobRow } from '../storage/repositories/job.repository.js'
import type { JobBatch, JobCancellationThreshold, JobData } from './job-definition.js'

/** `running`, `stopped`, `complete` (every device done) or `cancelled` (the threshold was crossed). */
export type JobStatus = 'running' | 'stopped' | 'complete' | 'cancelled'

export interface JobView {
  id: string
  scheduledJobId?: string
  displayName?: string
  description?: string
  group: string
  batch?: JobBatch
  cancellationThreshold?: JobCancellationThreshold
  data: JobData[]
  start: string
  end?: string
  progress: JobProgress
  status: string
  organizations?: string[]
}

export interface ScheduledJobView {
  etag: string
  id: string
  displayName?: string
  description?: string
  group: string
  batch?: JobBatch
  cancellationThreshold?: JobCancellationThreshold
  data: JobData[]
  organizations?: string[]
  schedule: {
    start: string
    recurrence?: string
    end?: { type: string; date?: string; occurrences?: number }
  }
  enabled: boolean
  completed: boolean
}

export function jobView(row: JobRow, progress: JobProgress): JobView {
  const view: JobView = {
    id: row.id,
    ...(row.scheduled_job_id !== null ? { scheduledJobId: row.scheduled_job_id } : {}),
    ...(row.display_name !== null ? { displayName: row.display_name } : {}),
    ...(row.description !== null ? { description: row.description } : {}),
    group: row.group_id,
    ...(row.batch !== null ? { batch: JSON.parse(row.batch) as JobBatch } : {}),
    ...(row.cancellation_threshold !== null
      ? { cancellationThreshold: JSON.parse(row.cancellation_threshold) as JobCancellationThreshold }
      : {}),
    data: JSON.parse(row.data) as JobData[],
    start: new Date(Number(row.start_at)).toISOString(),
    ...(row.end_at !== null ? { end: new Date(Number(row.end_at)).toISOString() } : {}),
    progress,
    status: row.status,
    ...(row.organization_id !== null ? { organizations: [row.organization_id] } : {}),
  }
  return view
}

export function scheduledJobView(row: ScheduledJobRow): ScheduledJobView {
  return {
    etag: row.etag,
    id: row.id,
    ...(row.display_name !== null ? { displayName: row.display_name } : {}),
    ...(row.description !== null ? { description: row.description } : {}),
    group: row.group_id,
    ...(row.batch !== null ? { batch: JSON.parse(row.batch) as JobBatch } : {}),
    ...(row.cancellation_threshold !== null
      ? { cancellationThreshold: JSON.parse(row.cancellation_threshold) as JobCancellationThreshold }
      : {}),
    data: JSON.parse(row.data) as JobData[],
    ...(row.organization_id !== null ? { organizations: [row.organization_id] } : {}),
    schedule: JSON.parse(row.schedule) as ScheduledJobView['schedule'],
    enabled: row.enabled === 1,
    completed: row.completed === 1,
  }
}
