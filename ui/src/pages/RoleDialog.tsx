import { useState, type FormEvent } from 'react'
import { CATALOGUE, withDependencies, type Permission } from '../api/catalogue'
import type { ApiClient } from '../api/client'
import type { Role } from '../api/types'
import { FormActions } from '../components/Controls'
import { Dialog } from '../components/Dialog'
import { ErrorMessage } from '../components/ErrorMessage'

const AREAS = Object.entries(CATALOGUE) as [string, readonly string[]][]

/** Words for an area id: `deviceTemplates` → `Device templates`. */
const areaName = (area: string) => {
  const words = area.replace(/([A-Z])/g, ' $1').toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/**
 * Ticking a permission ticks what it needs (as IoT Central's editor does); unticking one also
 * unticks whatever needs it, so the set shown is always the set the server will store.
 */
function toggle(current: ReadonlySet<Permission>, permission: Permission): Set<Permission> {
  if (!current.has(permission)) return withDependencies([...current, permission])
  return new Set([...current].filter((held) => !withDependencies([held]).has(permission)))
}

/** Creates a custom role or edits one: its name, scope (fixed once made) and permissions. */
export function RoleDialog({
  api,
  role,
  onClose,
  onSaved,
}: {
  api: ApiClient
  role: Role | null
  onClose: () => void
  onSaved: () => void
}) {
  const [name, setName] = useState(role?.displayName ?? '')
  const [type, setType] = useState(role?.type ?? 'application')
  const [permissions, setPermissions] = useState<Set<Permission>>(
    new Set((role?.permissions ?? []) as Permission[]),
  )
  const [error, setError] = useState<unknown>(null)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const body = { displayName: name, type, permissions: [...permissions] }
    try {
      if (role) await api.patch(`/roles/${encodeURIComponent(role.id)}`, body)
      else await api.put(`/roles/${crypto.randomUUID()}`, body)
      onSaved()
    } catch (reason) {
      setError(reason)
    }
  }

  return (
    <Dialog title={role ? `Edit ${role.displayName}` : 'New custom role'} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} className="role-form">
        <ErrorMessage error={error} />
        <label htmlFor="role-name">Role name</label>
        <input
          id="role-name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          autoFocus
        />
        <label htmlFor="role-type">Scope</label>
        <select
          id="role-type"
          value={type}
          disabled={role !== null}
          onChange={(e) => setType(e.target.value as 'application' | 'organization')}
        >
          <option value="application">Application</option>
          <option value="organization">Organization</option>
        </select>
        <div className="permission-groups">
          {AREAS.map(([area, actions]) => (
            <fieldset key={area}>
              <legend>{areaName(area)}</legend>
              {actions.map((action) => {
                const permission = `${area}.${action}` as Permission
                return (
                  <label key={permission} className="checkbox">
                    <input
                      type="checkbox"
                      checked={permissions.has(permission)}
                      onChange={() => setPermissions(toggle(permissions, permission))}
                    />
                    {areaName(action)}
                    <span className="visually-hidden"> ({areaName(area)})</span>
                  </label>
                )
              })}
            </fieldset>
          ))}
        </div>
        <FormActions submit={role ? 'Save' : 'Create'} onCancel={onClose} />
      </form>
    </Dialog>
  )
}
