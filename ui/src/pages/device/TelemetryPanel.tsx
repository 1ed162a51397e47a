import { ApiError, type ApiClient } from '../../api/client'
import { segment } from '../../api/paths'
import { DataTable } from '../../components/Controls'
import { ErrorMessage } from '../../components/ErrorMessage'
import { useLoad } from '../../components/useLoad'
import { capabilityBase, capabilityLabel, type Capability } from './device-capabilities'
import { shownValue } from './property-state'

/** GET …/telemetry/{name}: the last value the device sent, and when. */
interface TelemetryValue {
  value: unknown
  timestamp: string
}

/** The last value of each telemetry of the template (none yet: the API answers 404), refreshable. */
export function TelemetryPanel({
  api,
  deviceId,
  capabilities,
  version,
}: {
  api: ApiClient
  deviceId: string
  capabilities: Capability[]
  version: number
}) {
  const { data, error, reload } = useLoad(
    () =>
      Promise.all(
        capabilities.map((capability) =>
          api
            .get<TelemetryValue>(`${capabilityBase(deviceId, capability)}/telemetry/${segment(capability.name)}`)
            .catch((reason: unknown) => {
              if (reason instanceof ApiError && reason.status === 404) return null
              throw reason
            }),
        ),
      ),
    `${version}:${capabilities.map(capabilityLabel).join()}`,
  )

  return (
    <section className="panel" aria-labelledby="telemetry-title">
      <div className="page-head">
        <h2 id="telemetry-title">Telemetry</h2>
        {capabilities.length > 0 ? (
          <button type="button" className="secondary" onClick={reload}>
            Refresh telemetry
          </button>
        ) : null}
      </div>
      <ErrorMessage error={error} />
      {capabilities.length === 0 ? <p>The device's template declares no telemetry.</p> : null}
      {data && capabilities.length > 0 ? (
        <DataTable label="Telemetry" columns={['Telemetry', 'Last value', 'Received']}>
          {capabilities.map((capability, index) => {
            const last = data[index]
            return (
              <tr key={capabilityLabel(capability)}>
                <td>{capabilityLabel(capability)}</td>
                <td className="mono">{last ? shownValue(last.value) : 'No value yet'}</td>
                <td>{last ? new Date(last.timestamp).toLocaleString() : ''}</td>
                <td />
              </tr>
            )
          })}
        </DataTable>
      ) : null}
    </section>
  )
}
