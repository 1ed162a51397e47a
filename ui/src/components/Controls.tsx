import type { ReactNode } from 'react'
import type { Organization } from '../api/types'

/** A page's title with its main action beside it (a button, when `create` is given). */
export function PageHead({
  title,
  create,
  children,
}: {
  title: string
  create?: { label: string; onClick: () => void } | false
  children?: ReactNode
}) {
  return (
    <div className="page-head">
      <h1 id="page-title">{title}</h1>
      {create ? (
        <button type="button" onClick={create.onClick}>
          {create.label}
        </button>
      ) : null}
      {children}
    </div>
  )
}

/** A button in a table row: its visible text, and an accessible name that says what it acts on. */
export function RowButton({
  text,
  subject,
  onClick,
}: {
  text: string
  subject: string
  onClick: () => void
}) {
  return (
    <button type="button" className="secondary" aria-label={`${text} ${subject}`} onClick={onClick}>
      {text}
    </button>
  )
}

/** The submit and Cancel buttons of a dialog's form. */
export function FormActions({ submit, onCancel }: { submit: string; onCancel: () => void }) {
  return (
    <div className="actions">
      <button type="submit">{submit}</button>
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  )
}

/** Chooses an organization, or the whole application (the empty value). */
export function OrganizationSelect({
  id,
  label = 'Organization',
  value,
  onChange,
  organizations,
  none = 'Whole application',
}: {
  id: string
  label?: string
  value: string
  onChange: (value: string) => void
  organizations: Organization[]
  none?: string
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{none}</option>
        {organizations.map((organization) => (
          <option key={organization.id} value={organization.id}>
            {organization.displayName}
          </option>
        ))}
      </select>
    </>
  )
}

/** A table with a caption-like label, its column headings and a last, unlabelled actions column. */
export function DataTable({
  label,
  columns,
  children,
}: {
  label: string
  columns: string[]
  children: ReactNode
}) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  )
}
