/**
 * The store's tables for jobs, as Kysely sees them (see ../schema.ts for the conventions). Every
 * time here is in epoch **milliseconds**: leases are measured in them, and a job's `start` and
 * `end` are shown to the millisecond.
 */
export interface JobTables {
  jobs: JobTable
  job_devices: JobDeviceTable
  scheduled_jobs: ScheduledJobTable
}

export interface JobTable {
  id: string
  display_name: string | null
  description: string | null
  group_id: string
  /** the job's `data` entries as the client sent them (JSON array) */
  data: string
  /** `{type, value}` (JSON), or null for one batch of every device */
  batch: string | null
  /** `{type, value, batch?}` (JSON), or null for none */
  cancellation_threshold: string | null
  organization_id: string | null
  /** the scheduled job whose occurrence this is, or null */
  scheduled_job_id: string | null
  /** `running`, `stopped`, `complete` or `cancelled` */
  status: string
  /** epoch milliseconds */
  start_at: number
  /** epoch milliseconds; null until the job ends */
  end_at: number | null
  /** 1 once every member of the group has been copied into job_devices */
  snapshot_done: number
  /** the last device id copied from the group (keyset cursor), null before the first */
  snapshot_after: string | null
  /** the batch being worked on (1-based), 0 before the first */
  current_batch: number
  /** the node working on the job now, and until when (epoch ms) its claim holds */
  lease_owner: string | null
  lease_expires: number
  created_at: number
  updated_at: number
}

export interface JobDeviceTable {
  job_id: string
  device_id: string
  /** `pending`, `completed` or `failed` */
  status: string
  /** the batch the device was put in (1-based), null while it waits for one */
  batch: number | null
  /** why it failed (shown in logs; IoT Central's API has no member for it) */
  reason: string | null
  updated_at: number
}

export interface ScheduledJobTable {
  id: string
  display_name: string | null
  description: string | null
  group_id: string
  data: string
  batch: string | null
  cancellation_threshold: string | null
  organization_id: string | null
  /** `{start, recurrence?, end?}` (JSON) as the client sent it */
  schedule: string
  enabled: number
  completed: number
  /** how many occurrences have started */
  occurrences: number
  /** when the next occurrence starts (epoch ms), null when none is left */
  next_run_at: number | null
  etag: string
  created_at: number
  updated_at: number
}
