import { useState } from 'react'
import type { ApiClient } from '../api/client'
import { organizationsFor } from '../api/lists'
import { apiPathOf } from '../api/paths'
import type { Device, DeviceTemplate, Organization, Page } from '../api/types'
import { DataTable, PageHead, RowButton } from '../components/Controls'
import { ErrorMessage } from '../components/ErrorMessage'
import { useAction } from '../components/useAction'
import { useEditor } from '../components/useEditor'
import { useConfirmedDelete } from '../components/useConfirmedDelete'
import { useLoad } from '../components/useLoad'
import { Link } from '../components/Link'
import { itemPath, type Route } from '../router'
import { DevicePage } from './device/DevicePage'
import { DeviceConnectDialog } from './DeviceConnectDialog'
import { DeviceDialog } from './DeviceDialog'

interface Listing {
  devices: Page<Device>
  templates: DeviceTemplate[]
  organizations: Organization[]
}

type May = (permission: string) => boolean

/** Devices, and one device's own page under `/devices/{id}`. */
export function DevicesPage({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  if (route.rest) return <DevicePage key={route.rest} api={api} may={may} route={route} />
  return <DeviceList api={api} may={may} route={route} />
}

/** Devices: a page at a time, create, edit, delete with confirmation. */
function DeviceList({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  const [pages, setPages] = useState<string[]>(['/devices?maxpagesize=25'])
  const current = pages[pages.length - 1] as string
  const { data, error, reload } = useLoad<Listing>(async () => {
    const [devices, templates, organizations] = await Promise.all([
      api.get<Page<Device>>(current),
      may('deviceTemplates.read')
        ? api.get<Page<DeviceTemplate>>('/deviceTemplates')
        : Promise.resolve({ value: [] }),
      organizationsFor(api, may),
    ])
    return { devices, templates: templates.value, organizations }
  }, current)
  const { run, actionError } = useAction(reload)
  const editor = useEditor<Device>(reload)
  const [connecting, setConnecting] = useState<Device | null>(null)
  const confirmDelete = useConfirmedDelete(api, run, (device: Device) => ({
    title: 'Delete device',
    message: `Delete ${device.id}? It can no longer connect.`,
    path: `/devices/${encodeURIComponent(device.id)}`,
  }))

  return (
    <section aria-labelledby="page-title">
      <PageHead
        title="Devices"
        create={may('devices.create') && { label: 'New device', onClick: () => editor.open('new') }}
      />
      <ErrorMessage error={error ?? actionError} />
      {data && data.devices.value.length === 0 ? <p>No devices here.</p> : null}
      {data && data.devices.value.length > 0 ? (
        <DataTable label="Devices" columns={['Device id', 'Name', 'Template', 'Organization']}>
          {data.devices.value.map((device) => (
            <tr key={device.id}>
              <td>
                <Link to={itemPath(route, device.id)} navigate={route.navigate}>
                  {device.id}
                </Link>
              </td>
              <td>{device.displayName}</td>
              <td>{device.template ?? 'None'}</td>
              <td>{device.organizations?.join(', ') ?? ''}</td>
              <td className="row-actions">
                {may('deviceConnectivity.readInstance') ? (
                  <RowButton
                    text="Connect"
                    subject={device.id}
                    onClick={() => setConnecting(device)}
                  />
                ) : null}
                {may('devices.update') ? (
                  <RowButton text="Edit" subject={device.id} onClick={() => editor.open(device)} />
                ) : null}
                {may('devices.delete') ? (
                  <RowButton
                    text="Delete"
                    subject={device.id}
                    onClick={() => confirmDelete.ask(device)}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <div className="pager">
        {pages.length > 1 ? (
          <button type="button" className="secondary" onClick={() => setPages(pages.slice(0, -1))}>
            Previous page
          </button>
        ) : null}
        {data?.devices.nextLink ? (
          <button
            type="button"
            className="secondary"
            onClick={() => setPages([...pages, apiPathOf(data.devices.nextLink as string)])}
          >
            Next page
          </button>
        ) : null}
      </div>
      {editor.editing && data ? (
        <DeviceDialog
          api={api}
          device={editor.current}
          templates={data.templates}
          organizations={data.organizations}
          onClose={editor.close}
          onSaved={editor.saved}
        />
      ) : null}
      {connecting ? (
        <DeviceConnectDialog api={api} device={connecting} onClose={() => setConnecting(null)} />
      ) : null}
      {confirmDelete.dialog}
    </section>
  )
}
