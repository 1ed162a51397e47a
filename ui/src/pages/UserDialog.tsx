import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../api/client'
import type { Organization, Role, RoleAssignment, User } from '../api/types'
import { FormActions, OrganizationSelect } from '../components/Controls'
import { Dialog } from '../components/Dialog'
import { ErrorMessage } from '../components/ErrorMessage'

type UserType = User['type']

/** Assigns a user (email, service principal or AD group) with roles per organization, or edits the roles. */
export function UserDialog({
  api,
  user,
  roles,
  organizations,
  onClose,
  onSaved,
}: {
  api: ApiClient
  user: User | null
  roles: Role[]
  organizations: Organization[]
  onClose: () => void
  onSaved: () => void
}) {
  const [type, setType] = useState<UserType>(user?.type ?? 'email')
  const [email, setEmail] = useState(user?.email ?? '')
  const [tenantId, setTenantId] = useState(user?.tenantId ?? '')
  const [objectId, setObjectId] = useState(user?.objectId ?? '')
  const [assignments, setAssignments] = useState<RoleAssignment[]>(
    user?.roles ?? [{ role: roles[0]?.id ?? '' }],
  )
  const [error, setError] = useState<unknown>(null)

  const setAssignment = (index: number, next: RoleAssignment) =>
    setAssignments(assignments.map((current, i) => (i === index ? next : current)))

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const rolesBody = assignments.map((a) =>
      a.organization ? { role: a.role, organization: a.organization } : { role: a.role },
    )
    try {
      if (user) {
        await api.patch(`/users/${encodeURIComponent(user.id)}`, { roles: rolesBody })
      } else {
        const identity = type === 'email' ? { email } : { tenantId, objectId }
        await api.put(`/users/${crypto.randomUUID()}`, { type, ...identity, roles: rolesBody })
      }
      onSaved()
    } catch (reason) {
      setError(reason)
    }
  }

  return (
    <Dialog title={user ? 'Edit roles' : 'Assign user'} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <ErrorMessage error={error} />
        {user ? null : (
          <>
            <label htmlFor="user-type">Type</label>
            <select
              id="user-type"
              value={type}
              onChange={(e) => setType(e.target.value as UserType)}
            >
              <option value="email">Email</option>
              <option value="servicePrincipal">Service principal</option>
              <option value="adGroup">AD group</option>
            </select>
            {type === 'email' ? (
              <>
                <label htmlFor="user-email">Email</label>
                <input
                  id="user-email"
                  type="email"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              </>
            ) : (
              <>
                <label htmlFor="user-tenant">Tenant id</label>
                <input
                  id="user-tenant"
                  required
                  value={tenantId}
                  onChange={(e) => setTenantId(e.target.value)}
                />
                <label htmlFor="user-object">Object id</label>
                <input
                  id="user-object"
                  required
                  value={objectId}
                  onChange={(e) => setObjectId(e.target.value)}
                />
              </>
            )}
          </>
        )}
        {assignments.map((assignment, index) => (
          <div key={index} className="assignment">
            <label htmlFor={`user-role-${index}`}>
              Role {assignments.length > 1 ? index + 1 : ''}
            </label>
            <select
              id={`user-role-${index}`}
              value={assignment.role}
              onChange={(e) => setAssignment(index, { ...assignment, role: e.target.value })}
            >
              {roles.map((role) => (
                <option key={role.id} value={role.id}>
                  {role.displayName}
                </option>
              ))}
            </select>
            {organizations.length > 0 ? (
              <OrganizationSelect
                id={`user-organization-${index}`}
                label={`Organization ${assignments.length > 1 ? index + 1 : ''}`}
                value={assignment.organization ?? ''}
                onChange={(organization) =>
                  setAssignment(index, {
                    role: assignment.role,
                    ...(organization ? { organization } : {}),
                  })
                }
                organizations={organizations}
              />
            ) : null}
            {assignments.length > 1 ? (
              <button
                type="button"
                className="secondary"
                onClick={() => setAssignments(assignments.filter((_, i) => i !== index))}
              >
                Remove role {index + 1}
              </button>
            ) : null}
          </div>
        ))}
        <button
          type="button"
          className="secondary add-role"
          onClick={() => setAssignments([...assignments, { role: roles[0]?.id ?? '' }])}
        >
          Add another role
        </button>
        <FormActions submit={user ? 'Save' : 'Assign'} onCancel={onClose} />
      </form>
    </Dialog>
  )
}
