import { useState } from 'react'
import type { ApiClient } from '../api/client'
import { organizationsFor, namer } from '../api/lists'
import { segment } from '../api/paths'
import type { Device, DeviceGroup, DeviceTemplate, Page } from '../api/types'
import { DataTable, PageHead, RowButton } from '../components/Controls'
import { ErrorMessage } from '../components/ErrorMessage'
import { BackLink, Link } from '../components/Link'
import { useAction } from '../components/useAction'
import { useConfirmedDelete } from '../components/useConfirmedDelete'
import { useEditor } from '../components/useEditor'
import { useLoad } from '../components/useLoad'
import { usePaged } from '../components/usePaged'
import { itemPath, type Route } from '../router'
import { DeviceGroupDialog } from './DeviceGroupDialog'
import { jobChoices } from './job-form'
import { JobDialog } from './JobDialog'

type May = (permission: string) => boolean

/** What the group dialog offers: templates and organizations. */
async function choices(api: ApiClient, may: May) {
  const [templates, organizations] = await Promise.all([
    may('deviceTemplates.read')
      ? api.get<Page<DeviceTemplate>>('/deviceTemplates').then((page) => page.value)
      : Promise.resolve([] as DeviceTemplate[]),
    organizationsFor(api, may),
  ])
  return { templates, organizations, roles: [] }
}

/** Device groups: list, create, edit, delete; a group's own view lists its devices. */
export function DeviceGroupsPage({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  if (route.rest) return <DeviceGroupView key={route.rest} api={api} may={may} route={route} />
  return <DeviceGroupList api={api} may={may} route={route} />
}

function DeviceGroupList({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  const { data, error, reload, pager } = usePaged<DeviceGroup>(api, '/deviceGroups?maxpagesize=25')
  const extra = useLoad(() => choices(api, may))
  const { run, actionError } = useAction(reload)
  const editor = useEditor<DeviceGroup>(reload)
  const confirmDelete = useConfirmedDelete(api, run, (group: DeviceGroup) => ({
    title: 'Delete device group',
    message: `Delete ${group.displayName}? Its devices stay; jobs can no longer target it.`,
    path: `/deviceGroups/${segment(group.id)}`,
  }))
  const names = namer(extra.data)

  return (
    <section aria-labelledby="page-title">
      <PageHead
        title="Device groups"
        create={
          may('deviceGroups.create') && {
            label: 'New device group',
            onClick: () => editor.open('new'),
          }
        }
      />
      <ErrorMessage error={error ?? extra.error ?? actionError} />
      {data && data.value.length === 0 ? <p>No device groups yet.</p> : null}
      {data && data.value.length > 0 ? (
        <DataTable label="Device groups" columns={['Name', 'Description', 'Organization']}>
          {data.value.map((group) => (
            <tr key={group.id}>
              <td>
                <Link to={itemPath(route, group.id)} navigate={route.navigate}>
                  {group.displayName}
                </Link>
              </td>
              <td>{group.description}</td>
              <td>{group.organizations?.map(names.organization).join(', ') ?? ''}</td>
              <td className="row-actions">
                {may('deviceGroups.update') ? (
                  <RowButton
                    text="Edit"
                    subject={group.displayName}
                    onClick={() => editor.open(group)}
                  />
                ) : null}
                {may('deviceGroups.delete') ? (
                  <RowButton
                    text="Delete"
                    subject={group.displayName}
                    onClick={() => confirmDelete.ask(group)}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {pager}
      {editor.editing && extra.data ? (
        <DeviceGroupDialog
          api={api}
          group={editor.current}
          templates={extra.data.templates}
          organizations={extra.data.organizations}
          onClose={editor.close}
          onSaved={editor.saved}
        />
      ) : null}
      {confirmDelete.dialog}
    </section>
  )
}

function DeviceGroupView({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  const group = useLoad(() => api.get<DeviceGroup>(`/deviceGroups/${segment(route.rest)}`))
  const extra = useLoad(() => choices(api, may))
  const devices = usePaged<Device>(
    api,
    `/deviceGroups/${segment(route.rest)}/devices?maxpagesize=25`,
  )
  const editor = useEditor<DeviceGroup>(() => {
    group.reload()
    devices.reload()
  })
  const names = namer(extra.data)
  const shown = group.data
  const mayRunJobs = may('jobs.read') && may('jobs.create') && may('jobs.execute')
  const [runningJob, setRunningJob] = useState(false)
  const jobOptions = useLoad(
    () => (runningJob ? jobChoices(api, may) : Promise.resolve(null)),
    runningJob,
  )

  return (
    <section aria-labelledby="page-title">
      <BackLink to={route.base} navigate={route.navigate}>
        Device groups
      </BackLink>
      <PageHead title={shown?.displayName ?? route.rest}>
        <div className="actions tight">
          {shown && mayRunJobs ? (
            <button type="button" className="secondary" onClick={() => setRunningJob(true)}>
              Run a job on this group
            </button>
          ) : null}
          {shown && may('deviceGroups.update') ? (
            <button type="button" onClick={() => editor.open(shown)}>
              Edit
            </button>
          ) : null}
        </div>
      </PageHead>
      <ErrorMessage error={group.error ?? devices.error} />
      {shown ? (
        <dl className="facts">
          {shown.description ? (
            <>
              <dt>Description</dt>
              <dd>{shown.description}</dd>
            </>
          ) : null}
          <dt>Organization</dt>
          <dd>{shown.organizations?.map(names.organization).join(', ') || 'Whole application'}</dd>
          <dt>Filter</dt>
          <dd>
            <code>{shown.filter}</code>
          </dd>
        </dl>
      ) : null}
      <h2>Devices</h2>
      {devices.data && devices.data.value.length === 0 ? <p>No device is in this group.</p> : null}
      {devices.data && devices.data.value.length > 0 ? (
        <table aria-label="Devices in the group">
          <thead>
            <tr>
              <th scope="col">Device id</th>
              <th scope="col">Name</th>
              <th scope="col">Template</th>
              <th scope="col">Provisioned</th>
              <th scope="col">Simulated</th>
            </tr>
          </thead>
          <tbody>
            {devices.data.value.map((device) => (
              <tr key={device.id}>
                <td>{device.id}</td>
                <td>{device.displayName}</td>
                <td>{device.template ?? 'None'}</td>
                <td>{device.provisioned ? 'Yes' : 'No'}</td>
                <td>{device.simulated ? 'Yes' : 'No'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {devices.pager}
      {runningJob && jobOptions.data ? (
        <JobDialog
          api={api}
          choices={jobOptions.data}
          initialGroup={route.rest}
          onClose={() => setRunningJob(false)}
          onCreated={(job) => route.navigate(`/jobs/${encodeURIComponent(job.id)}`)}
        />
      ) : null}
      {editor.editing && extra.data ? (
        <DeviceGroupDialog
          api={api}
          group={editor.current}
          templates={extra.data.templates}
          organizations={extra.data.organizations}
          onClose={editor.close}
          onSaved={editor.saved}
        />
      ) : null}
    </section>
  )
}
