import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../api/client'
import { newId, segment } from '../api/paths'
import type { ScheduledJob } from '../api/types'
import { FormActions } from '../components/Controls'
import { Dialog } from '../components/Dialog'
import { ErrorMessage } from '../components/ErrorMessage'
import { emptyJobForm, jobDefinitionOf, jobFormOf, type JobChoices, type JobForm } from './job-form'
import { JobDefinitionFields } from './JobDefinitionFields'

type Recurrence = '' | 'daily' | 'weekly' | 'monthly'
type Ending = 'never' | 'date' | 'occurrences'

const pad = (n: number) => String(n).padStart(2, '0')
/** An instant as a datetime-local input shows it (the browser's time zone). */
const localInput = (iso: string) => {
  const date = new Date(iso)
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(
    date.getHours(),
  )}:${pad(date.getMinutes())}`
}
const inAnHour = () => {
  const date = new Date(Date.now() + 3600_000)
  date.setMinutes(0, 0, 0)
  return date.toISOString()
}

/** Creates a scheduled job or edits one: what it does, and when (once or again and again). */
export function ScheduledJobDialog({
  api,
  job,
  choices,
  onClose,
  onSaved,
}: {
  api: ApiClient
  job: ScheduledJob | null
  choices: JobChoices
  onClose: () => void
  onSaved: (job: ScheduledJob) => void
}) {
  const [id, setId] = useState<string>(() => job?.id ?? newId())
  const [form, setForm] = useState<JobForm>(() =>
    job ? jobFormOf(job, choices) : emptyJobForm(choices),
  )
  const [start, setStart] = useState(() => localInput(job?.schedule.start ?? inAnHour()))
  const [recurrence, setRecurrence] = useState<Recurrence>(job?.schedule.recurrence ?? '')
  const [ending, setEnding] = useState<Ending>(job?.schedule.end?.type ?? 'never')
  const [endDate, setEndDate] = useState(() => {
    const end = job?.schedule.end
    return end?.type === 'date' ? localInput(end.date).slice(0, 10) : ''
  })
  const [occurrences, setOccurrences] = useState(() => {
    const end = job?.schedule.end
    return end?.type === 'occurrences' ? String(end.occurrences) : '5'
  })
  const [enabled, setEnabled] = useState(job?.enabled ?? true)
  const [error, setError] = useState<unknown>(null)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    // A merge patch keeps what it does not name: a recurrence or end taken away is sent as null.
    const cleared = job ? null : undefined
    const schedule = {
      start: new Date(start).toISOString(),
      recurrence: recurrence || cleared,
      end:
        recurrence && ending === 'date'
          ? { type: 'date', date: new Date(`${endDate}T23:59:59`).toISOString() }
          : recurrence && ending === 'occurrences'
            ? { type: 'occurrences', occurrences: Number(occurrences) }
            : cleared,
    }
    const body = {
      ...jobDefinitionOf(form, choices.organizations.length > 0, job !== null),
      schedule,
      enabled,
    }
    try {
      const path = `/scheduledJobs/${segment(id)}`
      const saved = job
        ? await api.mergePatch<ScheduledJob>(path, body)
        : await api.put<ScheduledJob>(path, body)
      onSaved(saved)
    } catch (reason) {
      setError(reason)
    }
  }

  return (
    <Dialog title={job ? `Edit ${job.displayName || job.id}` : 'New scheduled job'} onClose={onClose}>
      <form className="wide-form" onSubmit={(event) => void submit(event)}>
        <ErrorMessage error={error} />
        <label htmlFor="scheduled-job-id">Scheduled job id</label>
        <input
          id="scheduled-job-id"
          required
          readOnly={job !== null}
          pattern="[a-zA-Z0-9_\-]+"
          title="Letters, digits, dashes and underscores"
          value={id}
          onChange={(event) => setId(event.target.value)}
        />
        <JobDefinitionFields form={form} onChange={setForm} choices={choices} />
        <fieldset>
          <legend>Schedule</legend>
          <label htmlFor="schedule-start">Starts at</label>
          <input
            id="schedule-start"
            type="datetime-local"
            required
            value={start}
            onChange={(event) => setStart(event.target.value)}
          />
          <label htmlFor="schedule-recurrence">Repeats</label>
          <select
            id="schedule-recurrence"
            value={recurrence}
            onChange={(event) => setRecurrence(event.target.value as Recurrence)}
          >
            <option value="">Does not repeat</option>
            <option value="daily">Every day</option>
            <option value="weekly">Every week</option>
            <option value="monthly">Every month</option>
          </select>
          {recurrence ? (
            <>
              <label htmlFor="schedule-ending">Ends</label>
              <select
                id="schedule-ending"
                value={ending}
                onChange={(event) => setEnding(event.target.value as Ending)}
              >
                <option value="never">Never</option>
                <option value="date">On a date</option>
                <option value="occurrences">After a number of runs</option>
              </select>
              {ending === 'date' ? (
                <>
                  <label htmlFor="schedule-end-date">End date</label>
                  <input
                    id="schedule-end-date"
                    type="date"
                    required
                    value={endDate}
                    onChange={(event) => setEndDate(event.target.value)}
                  />
                </>
              ) : null}
              {ending === 'occurrences' ? (
                <>
                  <label htmlFor="schedule-occurrences">Number of runs</label>
                  <input
                    id="schedule-occurrences"
                    type="number"
                    min={1}
                    max={999}
                    required
                    value={occurrences}
                    onChange={(event) => setOccurrences(event.target.value)}
                  />
                </>
              ) : null}
            </>
          ) : null}
          <label className="checkbox">
            <input
              type="checkbox"
              checked={enabled}
              onChange={(event) => setEnabled(event.target.checked)}
            />
            Enabled
          </label>
        </fieldset>
        <FormActions submit={job ? 'Save' : 'Create'} onCancel={onClose} />
      </form>
    </Dialog>
  )
}
