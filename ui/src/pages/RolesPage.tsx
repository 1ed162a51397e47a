import { ROLE_IDS } from '../api/catalogue'
import type { ApiClient } from '../api/client'
import type { Page, Role } from '../api/types'
import { DataTable, PageHead, RowButton } from '../components/Controls'
import { ErrorMessage } from '../components/ErrorMessage'
import { useAction } from '../components/useAction'
import { useEditor } from '../components/useEditor'
import { useConfirmedDelete } from '../components/useConfirmedDelete'
import { useLoad } from '../components/useLoad'
import { RoleDialog } from './RoleDialog'

const BUILT_IN: ReadonlySet<string> = new Set(Object.values(ROLE_IDS))

/** Administration / Roles: built-in roles to read, custom roles to create, edit and delete. */
export function RolesPage({ api, may }: { api: ApiClient; may: (permission: string) => boolean }) {
  const { data, error, reload } = useLoad(() => api.get<Page<Role>>('/roles'))
  const { run, actionError } = useAction(reload)
  const editor = useEditor<Role>(reload)
  const confirmDelete = useConfirmedDelete(api, run, (role: Role) => ({
    title: 'Delete role',
    message: `Delete the role ${role.displayName}? Users and tokens holding it lose it.`,
    path: `/roles/${encodeURIComponent(role.id)}`,
  }))

  return (
    <section aria-labelledby="page-title">
      <PageHead
        title="Roles"
        create={
          may('roles.create') && { label: 'New custom role', onClick: () => editor.open('new') }
        }
      />
      <ErrorMessage error={error ?? actionError} />
      {data ? (
        <DataTable label="Roles" columns={['Role', 'Kind', 'Scope', 'Permissions']}>
          {data.value.map((role) => {
            const builtIn = BUILT_IN.has(role.id)
            return (
              <tr key={role.id}>
                <td>{role.displayName}</td>
                <td>{builtIn ? 'Built-in' : 'Custom'}</td>
                <td>{role.type === 'organization' ? 'Organization' : 'Application'}</td>
                <td>{role.permissions?.length ?? 0}</td>
                <td className="row-actions">
                  {!builtIn && may('roles.update') ? (
                    <RowButton
                      text="Edit"
                      subject={role.displayName}
                      onClick={() => editor.open(role)}
                    />
                  ) : null}
                  {!builtIn && may('roles.delete') ? (
                    <RowButton
                      text="Delete"
                      subject={role.displayName}
                      onClick={() => confirmDelete.ask(role)}
                    />
                  ) : null}
                </td>
              </tr>
            )
          })}
        </DataTable>
      ) : null}
      {editor.editing ? (
        <RoleDialog api={api} role={editor.current} onClose={editor.close} onSaved={editor.saved} />
      ) : null}
      {confirmDelete.dialog}
    </section>
  )
}
