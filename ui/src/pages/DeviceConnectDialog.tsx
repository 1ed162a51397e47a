import type { ApiClient } from '../api/client'
import { segment } from '../api/paths'
import type { Device, DeviceCredentials } from '../api/types'
import { Dialog } from '../components/Dialog'
import { ErrorMessage } from '../components/ErrorMessage'
import { CopyField, SecretField } from '../components/SecretField'
import { useLoad } from '../components/useLoad'

/** What a device needs to connect: the ID scope, its id and its keys (hidden until shown). */
export function DeviceConnectDialog({
  api,
  device,
  onClose,
}: {
  api: ApiClient
  device: Device
  onClose: () => void
}) {
  const { data, error } = useLoad(() =>
    api.get<DeviceCredentials>(`/devices/${segment(device.id)}/credentials`),
  )
  const certificates = Object.entries(data?.x509?.clientCertificates ?? {})
  return (
    <Dialog title={`Connect ${device.id}`} onClose={onClose}>
      <ErrorMessage error={error} />
      {data ? (
        <>
          <CopyField id="connect-id-scope" label="ID scope" value={data.idScope} />
          <CopyField id="connect-device-id" label="Device id" value={device.id} />
          {data.symmetricKey ? (
            <>
              <SecretField
                id="connect-primary-key"
                label="Primary key"
                value={data.symmetricKey.primaryKey}
              />
              <SecretField
                id="connect-secondary-key"
                label="Secondary key"
                value={data.symmetricKey.secondaryKey}
              />
            </>
          ) : null}
          {certificates.map(([entry, certificate]) => (
            <CopyField
              key={entry}
              id={`connect-${entry}-thumbprint`}
              label={`${entry === 'primary' ? 'Primary' : 'Secondary'} certificate thumbprint`}
              value={certificate?.info?.sha1Thumbprint ?? ''}
            />
          ))}
          {data.tpm?.endorsementKey ? (
            <SecretField
              id="connect-endorsement-key"
              label="Endorsement key"
              value={data.tpm.endorsementKey}
            />
          ) : null}
        </>
      ) : null}
      <div className="actions">
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  )
}
