import { useState } from 'react'
import type { ApiClient } from '../api/client'
import { segment } from '../api/paths'
import type { Job, JobSchedule, ScheduledJob } from '../api/types'
import { DataTable, PageHead, RowButton } from '../components/Controls'
import { ErrorMessage } from '../components/ErrorMessage'
import { BackLink, Link } from '../components/Link'
import { useAction } from '../components/useAction'
import { useConfirmedDelete } from '../components/useConfirmedDelete'
import { useEditor } from '../components/useEditor'
import { useLoad } from '../components/useLoad'
import { usePaged } from '../components/usePaged'
import { itemPath, type Route } from '../router'
import { dataTypeLabel, jobChoices } from './job-form'
import { JobTable } from './JobsPage'
import { ScheduledJobDialog } from './ScheduledJobDialog'

type May = (permission: string) => boolean

const RECURRENCE_WORDS = { daily: 'every day', weekly: 'every week', monthly: 'every month' }

/** A schedule in words: "Every day from 1 Dec 2026, 09:00, 5 times". */
export function scheduleWords(schedule: JobSchedule): string {
  const start = new Date(schedule.start).toLocaleString()
  if (!schedule.recurrence) return `Once, at ${start}`
  const end = schedule.end
  const until =
    end?.type === 'date'
      ? `, until ${new Date(end.date).toLocaleDateString()}`
      : end?.type === 'occurrences'
        ? `, ${end.occurrences} ${end.occurrences === 1 ? 'time' : 'times'}`
        : ''
  const words = RECURRENCE_WORDS[schedule.recurrence]
  return `${words[0]!.toUpperCase()}${words.slice(1)} from ${start}${until}`
}

const stateWords = (job: ScheduledJob) =>
  job.completed ? 'Completed' : job.enabled === false ? 'Disabled' : 'Enabled'

/** Scheduled jobs: list, create, edit, delete; a scheduled job's view lists the jobs it ran. */
export function ScheduledJobsPage({
  api,
  may,
  route,
}: {
  api: ApiClient
  may: May
  route: Route
}) {
  if (route.rest) return <ScheduledJobView key={route.rest} api={api} may={may} route={route} />
  return <ScheduledJobList api={api} may={may} route={route} />
}

function ScheduledJobList({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  const { data, error, reload, pager } = usePaged<ScheduledJob>(
    api,
    '/scheduledJobs?maxpagesize=25',
  )
  const choices = useLoad(() => jobChoices(api, may))
  const { run, actionError } = useAction(reload)
  const editor = useEditor<ScheduledJob>(reload)
  const confirmDelete = useConfirmedDelete(api, run, (job: ScheduledJob) => ({
    title: 'Delete scheduled job',
    message: `Delete ${job.displayName || job.id}? It runs no more; the jobs it ran stay.`,
    path: `/scheduledJobs/${segment(job.id)}`,
  }))
  const groupName = (id: string) =>
    choices.data?.groups.find((group) => group.id === id)?.displayName ?? id

  return (
    <section aria-labelledby="page-title">
      <PageHead
        title="Scheduled jobs"
        create={
          may('jobs.create') && {
            label: 'New scheduled job',
            onClick: () => editor.open('new'),
          }
        }
      />
      <ErrorMessage error={error ?? choices.error ?? actionError} />
      {data && data.value.length === 0 ? <p>No scheduled jobs yet.</p> : null}
      {data && data.value.length > 0 ? (
        <DataTable
          label="Scheduled jobs"
          columns={['Name', 'Schedule', 'State', 'Device group', 'Type']}
        >
          {data.value.map((job) => (
            <tr key={job.id}>
              <td>
                <Link to={itemPath(route, job.id)} navigate={route.navigate}>
                  {job.displayName || job.id}
                </Link>
              </td>
              <td>{scheduleWords(job.schedule)}</td>
              <td>{stateWords(job)}</td>
              <td>{groupName(job.group)}</td>
              <td>{job.data[0] ? dataTypeLabel(job.data[0].type) : ''}</td>
              <td className="row-actions">
                {may('jobs.update') ? (
                  <RowButton
                    text="Edit"
                    subject={job.displayName || job.id}
                    onClick={() => editor.open(job)}
                  />
                ) : null}
                {may('jobs.delete') ? (
                  <RowButton
                    text="Delete"
                    subject={job.displayName || job.id}
                    onClick={() => confirmDelete.ask(job)}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {pager}
      {editor.editing && choices.data ? (
        <ScheduledJobDialog
          api={api}
          job={editor.current}
          choices={choices.data}
          onClose={editor.close}
          onSaved={editor.saved}
        />
      ) : null}
      {confirmDelete.dialog}
    </section>
  )
}

function ScheduledJobView({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  const path = `/scheduledJobs/${segment(route.rest)}`
  const job = useLoad(() => api.get<ScheduledJob>(path))
  const runs = usePaged<Job>(api, `${path}/jobs?maxpagesize=25`)
  const choices = useLoad(() => jobChoices(api, may))
  const [editing, setEditing] = useState(false)
  const shown = job.data
  const groupName = (id: string) =>
    choices.data?.groups.find((group) => group.id === id)?.displayName ?? id

  return (
    <section aria-labelledby="page-title">
      <BackLink to={route.base} navigate={route.navigate}>
        Scheduled jobs
      </BackLink>
      <PageHead title={shown?.displayName || route.rest}>
        {shown && may('jobs.update') ? (
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>
        ) : null}
      </PageHead>
      <ErrorMessage error={job.error ?? runs.error} />
      {shown ? (
        <dl className="facts">
          <dt>Schedule</dt>
          <dd>{scheduleWords(shown.schedule)}</dd>
          <dt>State</dt>
          <dd>{stateWords(shown)}</dd>
          <dt>Device group</dt>
          <dd>{groupName(shown.group)}</dd>
          {shown.data[0] ? (
            <>
              <dt>Job type</dt>
              <dd>{dataTypeLabel(shown.data[0].type)}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <h2>Jobs it ran</h2>
      {runs.data && runs.data.value.length === 0 ? <p>It has not run yet.</p> : null}
      {runs.data && runs.data.value.length > 0 ? (
        <JobTable
          label="Jobs it ran"
          jobs={runs.data.value}
          route={route}
          jobsBase="/jobs"
          groupName={groupName}
        />
      ) : null}
      {runs.pager}
      {editing && shown && choices.data ? (
        <ScheduledJobDialog
          api={api}
          job={shown}
          choices={choices.data}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false)
            job.reload()
          }}
        />
      ) : null}
    </section>
  )
}
