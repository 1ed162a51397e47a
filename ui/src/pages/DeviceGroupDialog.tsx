import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../api/client'
import { segment } from '../api/paths'
import type { DeviceGroup, DeviceTemplate, Organization } from '../api/types'
import { FormActions, OrganizationSelect } from '../components/Controls'
import { Dialog } from '../components/Dialog'
import { ErrorMessage } from '../components/ErrorMessage'
import { ALL_DEVICES } from './device-query'
import { DevicePreview } from './DevicePreview'
import { FilterEditor } from './FilterEditor'

/** Creates a device group or edits one: name, description, organization and its filter. */
export function DeviceGroupDialog({
  api,
  group,
  templates,
  organizations,
  onClose,
  onSaved,
}: {
  api: ApiClient
  group: DeviceGroup | null
  templates: DeviceTemplate[]
  organizations: Organization[]
  onClose: () => void
  onSaved: () => void
}) {
  const [id, setId] = useState(group?.id ?? '')
  const [name, setName] = useState(group?.displayName ?? '')
  const [description, setDescription] = useState(group?.description ?? '')
  const [organization, setOrganization] = useState(group?.organizations?.[0] ?? '')
  const [filter, setFilter] = useState(group?.filter ?? ALL_DEVICES)
  const [error, setError] = useState<unknown>(null)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const body = {
      displayName: name,
      description,
      filter,
      // A new group leaves out what it does not have; an edit clears it.
      ...(organization ? { organizations: [organization] } : group ? { organizations: null } : {}),
    }
    try {
      const path = `/deviceGroups/${segment(id)}`
      if (group) await api.patch(path, body)
      else await api.put(path, body)
      onSaved()
    } catch (reason) {
      setError(reason)
    }
  }

  return (
    <Dialog title={group ? `Edit ${group.displayName}` : 'New device group'} onClose={onClose}>
      <form className="wide-form" onSubmit={(event) => void submit(event)}>
        <ErrorMessage error={error} />
        <div className="two-columns">
          <div>
            <label htmlFor="group-id">Group id</label>
            <input
              id="group-id"
              required
              readOnly={group !== null}
              pattern="[a-zA-Z0-9_\-]+"
              title="Letters, digits, dashes and underscores"
              value={id}
              onChange={(event) => setId(event.target.value)}
              autoFocus
            />
          </div>
          <div>
            <label htmlFor="group-name">Group name</label>
            <input
              id="group-name"
              required
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          </div>
        </div>
        <label htmlFor="group-description">Description</label>
        <input
          id="group-description"
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
        {organizations.length > 0 ? (
          <OrganizationSelect
            id="group-organization"
            value={organization}
            onChange={setOrganization}
            organizations={organizations}
          />
        ) : null}
        <FilterEditor
          value={filter}
          onChange={setFilter}
          templates={templates}
          organizations={organizations}
        />
        <DevicePreview api={api} filter={filter} organization={organization} />
        <FormActions submit={group ? 'Save' : 'Create'} onCancel={onClose} />
      </form>
    </Dialog>
  )
}
