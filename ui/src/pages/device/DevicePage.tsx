import { useState } from 'react'
import type { ApiClient } from '../../api/client'
import { segment } from '../../api/paths'
import type { Device, DeviceTemplate } from '../../api/types'
import { PageHead } from '../../components/Controls'
import { ErrorMessage } from '../../components/ErrorMessage'
import { BackLink } from '../../components/Link'
import { useLoad } from '../../components/useLoad'
import type { Route } from '../../router'
import { templateName } from '../template-name'
import { CommandsPanel } from './CommandsPanel'
import { ConnectionState } from './ConnectionState'
import { deviceCapabilities } from './device-capabilities'
import { PropertiesPanel } from './PropertiesPanel'
import { TelemetryPanel } from './TelemetryPanel'

type May = (permission: string) => boolean

interface Loaded {
  device: Device
  template: DeviceTemplate | undefined
}

/** One device: its connection, properties, last telemetry values and commands. */
export function DevicePage({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  const deviceId = route.rest
  const [version, setVersion] = useState(0)
  const { data, error } = useLoad<Loaded>(async () => {
    const device = await api.get<Device>(`/devices/${segment(deviceId)}`)
    const template =
      device.template && may('deviceTemplates.read')
        ? await api.get<DeviceTemplate>(`/deviceTemplates/${segment(device.template)}`)
        : undefined
    return { device, template }
  }, deviceId)
  const capabilities = deviceCapabilities(data?.template)
  const refresh = () => setVersion(version + 1)

  return (
    <section aria-labelledby="page-title">
      <BackLink to={route.base} navigate={route.navigate}>
        Devices
      </BackLink>
      <PageHead title={data?.device.displayName || deviceId}>
        <button type="button" className="secondary" onClick={refresh}>
          Refresh
        </button>
      </PageHead>
      <ErrorMessage error={error} />
      {data ? (
        <>
          <dl className="facts" aria-label="Device">
            <dt>Device id</dt>
            <dd className="mono">{data.device.id}</dd>
            <dt>Template</dt>
            <dd>{data.template ? templateName(data.template) : (data.device.template ?? 'None')}</dd>
            <ConnectionState api={api} deviceId={deviceId} version={version} />
          </dl>
          <PropertiesPanel
            api={api}
            deviceId={deviceId}
            capabilities={capabilities.properties}
            mayEdit={may('devices.update')}
            version={version}
          />
          <TelemetryPanel api={api} deviceId={deviceId} capabilities={capabilities.telemetry} version={version} />
          <CommandsPanel
            api={api}
            deviceId={deviceId}
            capabilities={capabilities.commands}
            mayRun={may('devices.executeCommands')}
          />
        </>
      ) : null}
    </section>
  )
}
