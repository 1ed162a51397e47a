import { ApiError, type ApiClient } from '../../api/client'
import { segment } from '../../api/paths'
import { ErrorMessage } from '../../components/ErrorMessage'
import { useLoad } from '../../components/useLoad'

/** GET /devices/{id}/connection: whether the device is connected now, since when, last heard. */
interface Connection {
  connected: boolean
  since: string | null
  lastActivity: string | null
}

const when = (time: string | null) => (time ? new Date(time).toLocaleString() : 'never')

/**
 * Whether the device is connected. A server that does not track connections answers 404 for a
 * device that exists (the page loaded it): then the state is unknown, which is not an error.
 */
export function ConnectionState({ api, deviceId, version }: { api: ApiClient; deviceId: string; version: number }) {
  const { data, error } = useLoad<Connection | 'unknown'>(
    () =>
      api.get<Connection>(`/devices/${segment(deviceId)}/connection`).catch((reason: unknown) => {
        if (reason instanceof ApiError && reason.status === 404) return 'unknown' as const
        throw reason
      }),
    version,
  )
  return (
    <>
      <dt>Connection</dt>
      <dd id="device-connection">
        {data === 'unknown' ? (
          <span className="badge">Unknown</span>
        ) : data ? (
          <>
            <span className={data.connected ? 'badge ok' : 'badge status-stopped'}>
              {data.connected ? 'Connected' : 'Disconnected'}
            </span>
            {data.since ? ` since ${when(data.since)}` : null}
          </>
        ) : null}
        <ErrorMessage error={error} />
      </dd>
      {data && data !== 'unknown' ? (
        <>
          <dt>Last activity</dt>
          <dd>{when(data.lastActivity)}</dd>
        </>
      ) : null}
    </>
  )
}
