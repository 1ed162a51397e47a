import { useState } from 'react'
import type { ApiClient } from '../api/client'
import { assignableRoles, namer } from '../api/lists'
import type { ApiToken, Page } from '../api/types'
import { DataTable, PageHead, RowButton } from '../components/Controls'
import { ErrorMessage } from '../components/ErrorMessage'
import { useAction } from '../components/useAction'
import { useConfirmedDelete } from '../components/useConfirmedDelete'
import { useLoad } from '../components/useLoad'
import { GenerateTokenDialog } from './GenerateTokenDialog'
import { TokenValueDialog } from './TokenValueDialog'

/** Administration / API tokens: the list (never the values), generate, delete. */
export function ApiTokensPage({
  api,
  may,
}: {
  api: ApiClient
  may: (permission: string) => boolean
}) {
  const { data, error, reload } = useLoad(async () => {
    const [tokens, assignable] = await Promise.all([
      api.get<Page<ApiToken>>('/apiTokens'),
      assignableRoles(api, may),
    ])
    return { tokens: tokens.value, ...assignable }
  })
  const { run, actionError } = useAction(reload)
  const confirmDelete = useConfirmedDelete(api, run, (token: ApiToken) => ({
    title: 'Delete API token',
    message: `Delete ${token.id}? Clients using it are refused at once.`,
    path: `/apiTokens/${encodeURIComponent(token.id)}`,
  }))
  const [generating, setGenerating] = useState(false)
  const [created, setCreated] = useState<ApiToken | null>(null)
  const names = namer(data)

  return (
    <section aria-labelledby="page-title">
      <PageHead title="API tokens">
        {may('apiTokens.create') ? (
          <button type="button" onClick={() => setGenerating(true)}>
            Generate token
          </button>
        ) : null}
      </PageHead>
      <ErrorMessage error={error ?? actionError} />
      {data?.tokens.length === 0 ? <p>No API tokens yet.</p> : null}
      {data && data.tokens.length > 0 ? (
        <DataTable label="API tokens" columns={['Token', 'Role', 'Organization', 'Expires', 'Last used']}>
          {data.tokens.map((token) => (
            <tr key={token.id}>
              <td>
                {token.id}
                {token.description ? <div className="description">{token.description}</div> : null}
              </td>
              <td>{token.roles.map((r) => names.role(r.role)).join(', ')}</td>
              <td>
                {token.roles
                  .map((r) =>
                    r.organization ? names.organization(r.organization) : 'Whole application',
                  )
                  .join(', ')}
              </td>
              <td>
                {new Date(token.expiry).toLocaleString()}
                {Date.parse(token.expiry) <= Date.now() ? (
                  <span className="badge expired"> Expired</span>
                ) : token.expiringSoon ? (
                  <span className="badge expiring"> Expires soon</span>
                ) : null}
              </td>
              <td>
                {token.lastUsedAt
                  ? `${new Date(token.lastUsedAt).toLocaleString()}${token.lastUsedAddress ? ` from ${token.lastUsedAddress}` : ''}`
                  : 'Never'}
              </td>
              <td>
                {may('apiTokens.delete') ? (
                  <RowButton
                    text="Delete"
                    subject={token.id}
                    onClick={() => confirmDelete.ask(token)}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {generating && data ? (
        <GenerateTokenDialog
          api={api}
          roles={data.roles}
          organizations={data.organizations}
          onClose={() => setGenerating(false)}
          onCreated={(token) => {
            setGenerating(false)
            setCreated(token)
            reload()
          }}
        />
      ) : null}
      {created ? <TokenValueDialog token={created} onClose={() => setCreated(null)} /> : null}
      {confirmDelete.dialog}
    </section>
  )
}
