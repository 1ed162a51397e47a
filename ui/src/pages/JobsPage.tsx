import { useEffect, useState } from 'react'
import type { ApiClient } from '../api/client'
import { newId, segment } from '../api/paths'
import type { Job, JobDeviceStatus } from '../api/types'
import { DataTable, PageHead } from '../components/Controls'
import { ErrorMessage } from '../components/ErrorMessage'
import { BackLink, Link } from '../components/Link'
import { useAction } from '../components/useAction'
import { useLoad } from '../components/useLoad'
import { usePaged } from '../components/usePaged'
import { itemPath, type Route } from '../router'
import { dataTypeLabel, jobChoices } from './job-form'
import { JobDialog } from './JobDialog'
import { JobProgress, StatusBadge } from './JobProgress'

type May = (permission: string) => boolean

/** Whether a job may still change by itself (then its view asks again every few seconds). */
const moving = (job: Job | null | undefined) =>
  job?.status === 'running' || job?.status === 'pending'

/** Whether a job has ended (then it can be rerun on the devices that failed). */
const ended = (job: Job) => job.status === 'complete' || job.status === 'cancelled'

/** Group names for the list, when the caller may read groups. */
const useGroupNames = (api: ApiClient, may: May) => {
  const { data } = useLoad(() => jobChoices(api, may))
  return {
    choices: data,
    groupName: (id: string) => data?.groups.find((group) => group.id === id)?.displayName ?? id,
  }
}

/** Jobs: list with status and progress, run a new one; a job's view with its devices. */
export function JobsPage({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  if (route.rest) return <JobView key={route.rest} api={api} may={may} route={route} />
  return <JobList api={api} may={may} route={route} />
}

/** A table of jobs (this page's list, and a scheduled job's runs). */
export function JobTable({
  label,
  jobs,
  route,
  jobsBase = route.base,
  groupName,
}: {
  label: string
  jobs: Job[]
  route: Route
  jobsBase?: string
  groupName: (id: string) => string
}) {
  return (
    <DataTable label={label} columns={['Name', 'Status', 'Progress', 'Device group', 'Type']}>
      {jobs.map((job) => (
        <tr key={job.id}>
          <td>
            <Link to={`${jobsBase}/${encodeURIComponent(job.id)}`} navigate={route.navigate}>
              {job.displayName || job.id}
            </Link>
          </td>
          <td>
            <StatusBadge status={job.status} />
          </td>
          <td>
            <JobProgress job={job} />
          </td>
          <td>{groupName(job.group)}</td>
          <td>{job.data[0] ? dataTypeLabel(job.data[0].type) : ''}</td>
          <td />
        </tr>
      ))}
    </DataTable>
  )
}

function JobList({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  const { data, error, reload, pager } = usePaged<Job>(api, '/jobs?maxpagesize=25')
  const { choices, groupName } = useGroupNames(api, may)
  const [creating, setCreating] = useState(false)
  useEffect(() => {
    if (!data?.value.some(moving)) return
    const timer = setInterval(reload, 3000)
    return () => clearInterval(timer)
  }, [data, reload])

  return (
    <section aria-labelledby="page-title">
      <PageHead
        title="Jobs"
        create={
          may('jobs.create') &&
          may('jobs.execute') && { label: 'New job', onClick: () => setCreating(true) }
        }
      />
      <ErrorMessage error={error} />
      {data && data.value.length === 0 ? <p>No jobs yet.</p> : null}
      {data && data.value.length > 0 ? (
        <JobTable label="Jobs" jobs={data.value} route={route} groupName={groupName} />
      ) : null}
      {pager}
      {creating && choices ? (
        <JobDialog
          api={api}
          choices={choices}
          onClose={() => setCreating(false)}
          onCreated={(job) => {
            setCreating(false)
            route.navigate(itemPath(route, job.id))
          }}
        />
      ) : null}
    </section>
  )
}

function JobView({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  const path = `/jobs/${segment(route.rest)}`
  const job = useLoad(() => api.get<Job>(path))
  const devices = usePaged<JobDeviceStatus>(api, `${path}/devices?maxpagesize=50`)
  const { groupName } = useGroupNames(api, may)
  const refresh = () => {
    job.reload()
    devices.reload()
  }
  const { run, actionError } = useAction(refresh)
  const shown = job.data
  useEffect(() => {
    if (!moving(shown)) return
    const timer = setInterval(refresh, 2000)
    return () => clearInterval(timer)
  }, [shown])
  const execute = may('jobs.execute')
  const data = shown?.data[0]

  return (
    <section aria-labelledby="page-title">
      <BackLink to={route.base} navigate={route.navigate}>
        Jobs
      </BackLink>
      <PageHead title={shown?.displayName || route.rest}>
        <div className="actions tight">
          {shown && execute && moving(shown) ? (
            <button type="button" onClick={() => void run(() => api.post(`${path}/stop`))}>
              Stop
            </button>
          ) : null}
          {shown && execute && shown.status === 'stopped' ? (
            <button type="button" onClick={() => void run(() => api.post(`${path}/resume`))}>
              Resume
            </button>
          ) : null}
          {shown && execute && ended(shown) && (shown.progress?.failed ?? 0) > 0 ? (
            <button
              type="button"
              className="secondary"
              onClick={() =>
                void run(async () => {
                  const rerun = await api.put<Job>(`${path}/rerun/${segment(newId())}`, undefined)
                  route.navigate(itemPath(route, rerun.id))
                })
              }
            >
              Rerun on failed devices
            </button>
          ) : null}
          <button type="button" className="secondary" onClick={refresh}>
            Refresh
          </button>
        </div>
      </PageHead>
      <ErrorMessage error={job.error ?? devices.error ?? actionError} />
      {shown ? (
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={shown.status} />
          </dd>
          <dt>Progress</dt>
          <dd>
            <JobProgress job={shown} />
          </dd>
          <dt>Device group</dt>
          <dd>{groupName(shown.group)}</dd>
          {data ? (
            <>
              <dt>Job type</dt>
              <dd>{dataTypeLabel(data.type)}</dd>
              {data.type === 'deviceTemplateMigration' ? (
                <>
                  <dt>Move to template</dt>
                  <dd className="mono">{data.template}</dd>
                </>
              ) : (
                <>
                  <dt>{data.type === 'command' ? 'Command' : 'Property'}</dt>
                  <dd className="mono">{data.path}</dd>
                  <dt>Value</dt>
                  <dd className="mono">{JSON.stringify(data.value ?? null)}</dd>
                </>
              )}
            </>
          ) : null}
          {shown.batch ? (
            <>
              <dt>Batches</dt>
              <dd>
                {shown.batch.type === 'percentage'
                  ? `${shown.batch.value}% of the devices`
                  : `${shown.batch.value} ${shown.batch.value === 1 ? 'device' : 'devices'}`}{' '}
                at a time
              </dd>
            </>
          ) : null}
          {shown.cancellationThreshold ? (
            <>
              <dt>Cancellation threshold</dt>
              <dd>
                {shown.cancellationThreshold.type === 'percentage'
                  ? `${shown.cancellationThreshold.value}% of the devices`
                  : `${shown.cancellationThreshold.value} ${
                      shown.cancellationThreshold.value === 1 ? 'device' : 'devices'
                    }`}{' '}
                failed
                {shown.cancellationThreshold.batch ? ', per batch' : ''}
              </dd>
            </>
          ) : null}
          {shown.start ? (
            <>
              <dt>Started</dt>
              <dd>{new Date(shown.start).toLocaleString()}</dd>
            </>
          ) : null}
          {shown.end ? (
            <>
              <dt>Ended</dt>
              <dd>{new Date(shown.end).toLocaleString()}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <h2>Devices</h2>
      {devices.data && devices.data.value.length === 0 ? <p>No device status yet.</p> : null}
      {devices.data && devices.data.value.length > 0 ? (
        <table aria-label="Device statuses">
          <thead>
            <tr>
              <th scope="col">Device id</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {devices.data.value.map((device) => (
              <tr key={device.id}>
                <td>{device.id}</td>
                <td>
                  <StatusBadge status={device.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {devices.pager}
    </section>
  )
}
