import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../api/client'
import type { ApiToken, Organization, Role } from '../api/types'
import { FormActions, OrganizationSelect } from '../components/Controls'
import { Dialog } from '../components/Dialog'
import { ErrorMessage } from '../components/ErrorMessage'

/** Name, role, organization (when there are any) and expiry of a new API token. */
export function GenerateTokenDialog({
  api,
  roles,
  organizations,
  onClose,
  onCreated,
}: {
  api: ApiClient
  roles: Role[]
  organizations: Organization[]
  onClose: () => void
  onCreated: (token: ApiToken) => void
}) {
  const [name, setName] = useState('')
  const [role, setRole] = useState(roles[0]?.id ?? '')
  const [organization, setOrganization] = useState('')
  const [expiry, setExpiry] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    try {
      const token = await api.put<ApiToken>(`/apiTokens/${encodeURIComponent(name)}`, {
        roles: [organization ? { role, organization } : { role }],
        ...(expiry ? { expiry: new Date(`${expiry}T23:59:59`).toISOString() } : {}),
      })
      onCreated(token)
    } catch (reason) {
      setError(reason)
      setBusy(false)
    }
  }

  return (
    <Dialog title="Generate token" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <ErrorMessage error={error} />
        <label htmlFor="token-name">Token name</label>
        <input
          id="token-name"
          required
          pattern="[a-zA-Z0-9_\-]+"
          title="Letters, digits, dashes and underscores"
          value={name}
          onChange={(event) => setName(event.target.value)}
          autoFocus
        />
        <label htmlFor="token-role">Role</label>
        <select id="token-role" value={role} onChange={(event) => setRole(event.target.value)}>
          {roles.map((option) => (
            <option key={option.id} value={option.id}>
              {option.displayName}
            </option>
          ))}
        </select>
        {organizations.length > 0 ? (
          <OrganizationSelect
            id="token-organization"
            value={organization}
            onChange={setOrganization}
            organizations={organizations}
          />
        ) : null}
        <label htmlFor="token-expiry">Expires on (one year from now when left empty)</label>
        <input
          id="token-expiry"
          type="date"
          value={expiry}
          onChange={(event) => setExpiry(event.target.value)}
        />
        <FormActions submit={busy ? 'Generating…' : 'Generate'} onCancel={onClose} />
      </form>
    </Dialog>
  )
}
