import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../api/client'
import { segment } from '../api/paths'
import type { EnrollmentGroup } from '../api/types'
import { FormActions } from '../components/Controls'
import { Dialog } from '../components/Dialog'
import { ErrorMessage } from '../components/ErrorMessage'

/** A new device connection group: name, which devices (IoT or IoT Edge), how they attest. */
export function EnrollmentGroupDialog({
  api,
  onClose,
  onCreated,
}: {
  api: ApiClient
  onClose: () => void
  onCreated: (group: EnrollmentGroup) => void
}) {
  const [id, setId] = useState('')
  const [name, setName] = useState('')
  const [type, setType] = useState<'iot' | 'iotEdge'>('iot')
  const [attestation, setAttestation] = useState<'symmetricKey' | 'x509'>('symmetricKey')
  const [enabled, setEnabled] = useState(true)
  const [error, setError] = useState<unknown>(null)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    try {
      const group = await api.put<EnrollmentGroup>(`/enrollmentGroups/${segment(id)}`, {
        displayName: name,
        type,
        enabled,
        attestation: { type: attestation },
      })
      onCreated(group)
    } catch (reason) {
      setError(reason)
    }
  }

  return (
    <Dialog title="New device connection group" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <ErrorMessage error={error} />
        <label htmlFor="enrollment-id">Group id</label>
        <input
          id="enrollment-id"
          required
          pattern="[a-zA-Z0-9\-]+"
          title="Letters, digits and dashes"
          value={id}
          onChange={(event) => setId(event.target.value)}
          autoFocus
        />
        <label htmlFor="enrollment-name">Group name</label>
        <input
          id="enrollment-name"
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <label htmlFor="enrollment-type">Devices</label>
        <select
          id="enrollment-type"
          value={type}
          onChange={(event) => setType(event.target.value as 'iot' | 'iotEdge')}
        >
          <option value="iot">IoT devices</option>
          <option value="iotEdge">IoT Edge devices</option>
        </select>
        <label htmlFor="enrollment-attestation">Attestation</label>
        <select
          id="enrollment-attestation"
          value={attestation}
          onChange={(event) => setAttestation(event.target.value as 'symmetricKey' | 'x509')}
        >
          <option value="symmetricKey">Shared access signature (SAS)</option>
          <option value="x509">Certificates (X.509)</option>
        </select>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={enabled}
            onChange={(event) => setEnabled(event.target.checked)}
          />
          Devices may connect with this group
        </label>
        <FormActions submit="Create" onCancel={onClose} />
      </form>
    </Dialog>
  )
}
