import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../api/client'
import type { AuditRecord } from '../api/types'
import { DataTable, PageHead } from '../components/Controls'
import { ErrorMessage } from '../components/ErrorMessage'
import { usePaged } from '../components/usePaged'

interface Filters {
  action: string
  actor: string
  from: string
  to: string
}

const EMPTY: Filters = { action: '', actor: '', from: '', to: '' }

/** The list's path: the filters given (times from the browser's local time to ISO), 25 a page. */
function listPath(filters: Filters): string {
  const query = new URLSearchParams({ maxpagesize: '25' })
  if (filters.action) query.set('action', filters.action.trim())
  if (filters.actor) query.set('actor', filters.actor.trim())
  if (filters.from) query.set('from', new Date(filters.from).toISOString())
  if (filters.to) query.set('to', new Date(filters.to).toISOString())
  return `/auditLogs?${query}`
}

const actorOf = (record: AuditRecord) =>
  record.actor.id === undefined ? record.actor.type : `${record.actor.id} (${record.actor.type})`

const outcomeOf = (record: AuditRecord) =>
  record.status === undefined ? record.outcome : `${record.outcome} (${record.status})`

/** Administration / Audit log: who changed what, when and from where, newest first. */
export function AuditLogPage({ api }: { api: ApiClient }) {
  const [draft, setDraft] = useState<Filters>(EMPTY)
  const [filters, setFilters] = useState<Filters>(EMPTY)
  const { data, error, pager } = usePaged<AuditRecord>(api, listPath(filters))
  const field = (name: keyof Filters, label: string, type = 'text') => (
    <label>
      {label}
      <input
        type={type}
        value={draft[name]}
        onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
      />
    </label>
  )
  const apply = (event: FormEvent) => {
    event.preventDefault()
    setFilters(draft)
  }

  return (
    <section aria-labelledby="page-title">
      <PageHead title="Audit log" />
      <form className="filters" aria-label="Filter the audit log" onSubmit={apply}>
        {field('action', 'Action')}
        {field('actor', 'Actor')}
        {field('from', 'From', 'datetime-local')}
        {field('to', 'To', 'datetime-local')}
        <button type="submit">Filter</button>
      </form>
      <ErrorMessage error={error} />
      {data?.value.length === 0 ? <p>No records.</p> : null}
      {data && data.value.length > 0 ? (
        <DataTable label="Audit log" columns={['Time', 'Actor', 'Action', 'Target', 'From', 'Outcome', 'Count']}>
          {data.value.map((record) => (
            <tr key={record.id}>
              <td>{new Date(record.time).toLocaleString()}</td>
              <td>{actorOf(record)}</td>
              <td>{record.action}</td>
              <td>{record.target ?? ''}</td>
              <td>{record.clientAddress ?? ''}</td>
              <td>
                <span className={`badge ${record.outcome === 'success' ? 'ok' : 'status-failed'}`}>{outcomeOf(record)}</span>
              </td>
              <td>{record.count}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {pager}
    </section>
  )
}
