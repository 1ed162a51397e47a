import type { Job } from '../api/types'

const STATUS_WORDS: Record<string, string> = {
  pending: 'Pending',
  running: 'Running',
  stopped: 'Stopped',
  complete: 'Completed',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  canceled: 'Cancelled',
}

/** A job's or a device's status in words. */
export const statusWords = (status: string | undefined) =>
  status ? (STATUS_WORDS[status] ?? status[0]!.toUpperCase() + status.slice(1)) : 'Unknown'

export function StatusBadge({ status }: { status: string | undefined }) {
  return <span className={`badge status-${status ?? 'unknown'}`}>{statusWords(status)}</span>
}

/** How far a job has come: a bar, and the counts in words. */
export function JobProgress({ job }: { job: Job }) {
  const progress = job.progress
  if (!progress) return <span>—</span>
  const done = progress.completed + progress.failed
  return (
    <span className="progress">
      <progress
        max={Math.max(progress.total, 1)}
        value={done}
        aria-label={`Progress of ${job.displayName || job.id}`}
      />
      <span>
        {progress.completed} of {progress.total} completed
        {progress.failed > 0 ? `, ${progress.failed} failed` : ''}
        {progress.pending > 0 ? `, ${progress.pending} pending` : ''}
      </span>
    </span>
  )
}
