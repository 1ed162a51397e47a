import { useEffect, useState } from 'react'
import type { ApiClient } from '../api/client'
import type { Device } from '../api/types'
import { ErrorMessage } from '../components/ErrorMessage'

const SHOWN = 10
/** The most devices the preview answers (the server's own limit). */
const PREVIEW_LIMIT = 25

/** The devices a filter matches right now, asked again a moment after the filter changes. */
export function DevicePreview({
  api,
  filter,
  organization,
}: {
  api: ApiClient
  filter: string
  organization: string
}) {
  const [devices, setDevices] = useState<Device[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    let current = true
    const timer = setTimeout(() => {
      api
        .post<{ value: Device[] }>('/deviceGroupPreview', {
          filter,
          ...(organization ? { organizations: [organization] } : {}),
        })
        .then(
          (answer) => {
            if (!current) return
            setDevices(answer.value)
            setError(null)
          },
          (reason: unknown) => {
            if (!current) return
            setDevices(null)
            setError(reason)
          },
        )
    }, 300)
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [api, filter, organization])

  return (
    <section className="preview" aria-label="Matching devices">
      <h3>Matching devices</h3>
      <ErrorMessage error={error} />
      {devices ? (
        <p aria-live="polite" id="preview-count">
          {devices.length === 0
            ? 'No device matches.'
            : devices.length >= PREVIEW_LIMIT
              ? `${PREVIEW_LIMIT} or more devices match.`
            : devices.length === 1
              ? '1 device matches.'
              : `${devices.length} devices match.`}
        </p>
      ) : null}
      {devices && devices.length > 0 ? (
        <ul className="preview-list">
          {devices.slice(0, SHOWN).map((device) => (
            <li key={device.id}>
              {device.displayName ? `${device.displayName} (${device.id})` : device.id}
            </li>
          ))}
          {devices.length > SHOWN ? <li>and {devices.length - SHOWN} more</li> : null}
        </ul>
      ) : null}
    </section>
  )
}
