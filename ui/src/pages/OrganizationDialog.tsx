import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../api/client'
import type { Organization } from '../api/types'
import { FormActions, OrganizationSelect } from '../components/Controls'
import { Dialog } from '../components/Dialog'
import { ErrorMessage } from '../components/ErrorMessage'
import { subtreeIds, type OrganizationNode } from './organization-tree'

/** Creates an organization (id, name, parent) or renames and moves one. */
export function OrganizationDialog({
  api,
  node,
  organizations,
  onClose,
  onSaved,
}: {
  api: ApiClient
  node: OrganizationNode | null
  organizations: Organization[]
  onClose: () => void
  onSaved: () => void
}) {
  const current = node?.organization
  const [id, setId] = useState(current?.id ?? '')
  const [name, setName] = useState(current?.displayName ?? '')
  const [parent, setParent] = useState(current?.parent ?? '')
  const [error, setError] = useState<unknown>(null)
  const excluded = node ? subtreeIds(node) : new Set<string>()

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const body = { displayName: name, parent: parent || null }
    try {
      const path = `/organizations/${encodeURIComponent(id)}`
      if (current) await api.patch(path, body)
      else await api.put(path, parent ? { displayName: name, parent } : { displayName: name })
      onSaved()
    } catch (reason) {
      setError(reason)
    }
  }

  return (
    <Dialog title={current ? `Edit ${current.displayName}` : 'New organization'} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <ErrorMessage error={error} />
        <label htmlFor="organization-id">Organization id</label>
        <input
          id="organization-id"
          required
          readOnly={current !== undefined}
          value={id}
          onChange={(e) => setId(e.target.value)}
          autoFocus={!current}
        />
        <label htmlFor="organization-name">Name</label>
        <input
          id="organization-name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          autoFocus={current !== undefined}
        />
        <OrganizationSelect
          id="organization-parent"
          label="Parent"
          none="None (top level)"
          value={parent}
          onChange={setParent}
          organizations={organizations.filter((o) => !excluded.has(o.id))}
        />
        <FormActions submit={current ? 'Save' : 'Create'} onCancel={onClose} />
      </form>
    </Dialog>
  )
}
