import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../api/client'
import type { Device, DeviceTemplate, Organization } from '../api/types'
import { FormActions, OrganizationSelect } from '../components/Controls'
import { Dialog } from '../components/Dialog'
import { ErrorMessage } from '../components/ErrorMessage'

const templateName = (template: DeviceTemplate) =>
  typeof template.displayName === 'string' ? template.displayName : template['@id']

/** Creates a device (id, name, template, organization) or edits one (all but its id). */
export function DeviceDialog({
  api,
  device,
  templates,
  organizations,
  onClose,
  onSaved,
}: {
  api: ApiClient
  device: Device | null
  templates: DeviceTemplate[]
  organizations: Organization[]
  onClose: () => void
  onSaved: () => void
}) {
  const [id, setId] = useState(device?.id ?? '')
  const [name, setName] = useState(device?.displayName ?? '')
  const [template, setTemplate] = useState(device?.template ?? '')
  const [organization, setOrganization] = useState(device?.organizations?.[0] ?? '')
  const [error, setError] = useState<unknown>(null)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const body = {
      displayName: name || null,
      template: template || null,
      ...(organizations.length > 0 ? { organizations: organization ? [organization] : null } : {}),
    }
    try {
      const path = `/devices/${encodeURIComponent(id)}`
      if (device) await api.patch(path, body)
      else await api.put(path, body)
      onSaved()
    } catch (reason) {
      setError(reason)
    }
  }

  return (
    <Dialog title={device ? `Edit ${device.id}` : 'New device'} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <ErrorMessage error={error} />
        <label htmlFor="device-id">Device id</label>
        <input
          id="device-id"
          required
          readOnly={device !== null}
          value={id}
          onChange={(e) => setId(e.target.value)}
          autoFocus
        />
        <label htmlFor="device-name">Device name</label>
        <input id="device-name" value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="device-template">Device template</label>
        <select id="device-template" value={template} onChange={(e) => setTemplate(e.target.value)}>
          <option value="">Unassigned</option>
          {templates.map((option) => (
            <option key={option['@id']} value={option['@id']}>
              {templateName(option)}
            </option>
          ))}
        </select>
        {organizations.length > 0 ? (
          <OrganizationSelect
            id="device-organization"
            value={organization}
            onChange={setOrganization}
            organizations={organizations}
          />
        ) : null}
        <FormActions submit={device ? 'Save' : 'Create'} onCancel={onClose} />
      </form>
    </Dialog>
  )
}
