import type { ApiClient } from '../api/client'
import type { Organization, Page } from '../api/types'
import { PageHead, RowButton } from '../components/Controls'
import { ErrorMessage } from '../components/ErrorMessage'
import { useAction } from '../components/useAction'
import { useEditor } from '../components/useEditor'
import { useConfirmedDelete } from '../components/useConfirmedDelete'
import { useLoad } from '../components/useLoad'
import { OrganizationDialog } from './OrganizationDialog'
import { organizationTree, type OrganizationNode } from './organization-tree'

/** Administration / Organizations: the tree; create, rename, move, delete. */
export function OrganizationsPage({
  api,
  may,
}: {
  api: ApiClient
  may: (permission: string) => boolean
}) {
  const { data, error, reload } = useLoad(() => api.get<Page<Organization>>('/organizations'))
  const { run, actionError } = useAction(reload)
  const editor = useEditor<OrganizationNode>(reload)
  const confirmDelete = useConfirmedDelete(api, run, (organization: Organization) => ({
    title: 'Delete organization',
    message: `Delete ${organization.displayName}?`,
    path: `/organizations/${encodeURIComponent(organization.id)}`,
  }))

  const renderNodes = (nodes: OrganizationNode[]) => (
    <ul>
      {nodes.map((node) => (
        <li key={node.organization.id}>
          <div className="tree-row">
            <span>{node.organization.displayName}</span>
            <span className="request-id">{node.organization.id}</span>
            {may('organizations.update') ? (
              <RowButton
                text="Rename or move"
                subject={node.organization.displayName}
                onClick={() => editor.open(node)}
              />
            ) : null}
            {may('organizations.delete') ? (
              <RowButton
                text="Delete"
                subject={node.organization.displayName}
                onClick={() => confirmDelete.ask(node.organization)}
              />
            ) : null}
          </div>
          {node.children.length > 0 ? renderNodes(node.children) : null}
        </li>
      ))}
    </ul>
  )

  return (
    <section aria-labelledby="page-title">
      <PageHead
        title="Organizations"
        create={
          may('organizations.create') && {
            label: 'New organization',
            onClick: () => editor.open('new'),
          }
        }
      />
      <ErrorMessage error={error ?? actionError} />
      {data && data.value.length === 0 ? (
        <p>No organizations: everything belongs to the application.</p>
      ) : null}
      {data && data.value.length > 0 ? (
        <div className="tree">{renderNodes(organizationTree(data.value))}</div>
      ) : null}
      {editor.editing && data ? (
        <OrganizationDialog
          api={api}
          node={editor.current}
          organizations={data.value}
          onClose={editor.close}
          onSaved={editor.saved}
        />
      ) : null}
      {confirmDelete.dialog}
    </section>
  )
}
