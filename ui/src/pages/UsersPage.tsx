import type { ApiClient } from '../api/client'
import { assignableRoles, namer } from '../api/lists'
import type { Page, User } from '../api/types'
import { DataTable, PageHead, RowButton } from '../components/Controls'
import { ErrorMessage } from '../components/ErrorMessage'
import { useAction } from '../components/useAction'
import { useEditor } from '../components/useEditor'
import { useConfirmedDelete } from '../components/useConfirmedDelete'
import { useLoad } from '../components/useLoad'
import { UserDialog } from './UserDialog'

const TYPE_NAMES = { email: 'Email', servicePrincipal: 'Service principal', adGroup: 'AD group' }

/** How a user is known: their email, or the tenant and object id of a principal or group. */
const identityOf = (user: User) => user.email ?? `${user.tenantId} / ${user.objectId}`

/** Administration / Users: list, assign (email, service principal, AD group), edit roles, remove. */
export function UsersPage({ api, may }: { api: ApiClient; may: (permission: string) => boolean }) {
  const { data, error, reload } = useLoad(async () => {
    const [users, assignable] = await Promise.all([
      api.get<Page<User>>('/users'),
      assignableRoles(api, may),
    ])
    return { users: users.value, ...assignable }
  })
  const { run, actionError } = useAction(reload)
  const editor = useEditor<User>(reload)
  const confirmDelete = useConfirmedDelete(api, run, (user: User) => ({
    title: 'Remove user',
    message: `Remove ${identityOf(user)} from the application?`,
    path: `/users/${encodeURIComponent(user.id)}`,
    action: 'Remove',
  }))
  const names = namer(data)

  return (
    <section aria-labelledby="page-title">
      <PageHead
        title="Users"
        create={may('users.create') && { label: 'Assign user', onClick: () => editor.open('new') }}
      />
      <ErrorMessage error={error ?? actionError} />
      {data ? (
        <DataTable label="Users" columns={['User', 'Type', 'Roles']}>
          {data.users.map((user) => (
            <tr key={user.id}>
              <td>{identityOf(user)}</td>
              <td>{TYPE_NAMES[user.type]}</td>
              <td>
                {user.roles
                  .map((r) =>
                    r.organization
                      ? `${names.role(r.role)} in ${names.organization(r.organization)}`
                      : names.role(r.role),
                  )
                  .join(', ')}
              </td>
              <td className="row-actions">
                {may('users.update') ? (
                  <RowButton
                    text="Edit roles"
                    subject={`of ${identityOf(user)}`}
                    onClick={() => editor.open(user)}
                  />
                ) : null}
                {may('users.delete') ? (
                  <RowButton
                    text="Remove"
                    subject={identityOf(user)}
                    onClick={() => confirmDelete.ask(user)}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {editor.editing && data ? (
        <UserDialog
          api={api}
          user={editor.current}
          roles={data.roles}
          organizations={data.organizations}
          onClose={editor.close}
          onSaved={editor.saved}
        />
      ) : null}
      {confirmDelete.dialog}
    </section>
  )
}
