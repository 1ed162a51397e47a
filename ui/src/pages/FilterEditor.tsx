import { useState } from 'react'
import type { DeviceTemplate, Organization } from '../api/types'
import {
  FIELDS,
  fieldInfo,
  operatorsFor,
  fromQuery,
  toQuery,
  type Condition,
  type FieldName,
  type Operator,
} from './device-query'
import { templateName } from './template-name'

/**
 * A device group's filter: simple conditions that write the query, or the query text itself.
 * Conditions are offered again whenever the text says no more than they can.
 */
export function FilterEditor({
  value,
  onChange,
  templates,
  organizations,
}: {
  value: string
  onChange: (query: string) => void
  templates: DeviceTemplate[]
  organizations: Organization[]
}) {
  const [conditions, setConditions] = useState<Condition[] | null>(() => fromQuery(value))
  const [mode, setMode] = useState<'conditions' | 'text'>(conditions ? 'conditions' : 'text')
  const [notice, setNotice] = useState('')

  const change = (next: Condition[]) => {
    setConditions(next)
    onChange(toQuery(next))
  }
  const update = (index: number, patch: Partial<Condition>) =>
    change(conditions!.map((condition, at) => (at === index ? { ...condition, ...patch } : condition)))
  const firstValue = (field: FieldName) => {
    if (fieldInfo(field).kind === 'boolean') return 'true'
    if (field === 'template') return templates[0]?.['@id'] ?? ''
    if (field === 'organization') return organizations[0]?.id ?? ''
    return ''
  }
  const toConditions = () => {
    const parsed = fromQuery(value)
    if (!parsed) {
      setNotice('This query says more than simple conditions can; edit it as text.')
      return
    }
    setNotice('')
    setConditions(parsed)
    setMode('conditions')
  }

  const valueControl = (condition: Condition, index: number) => {
    const label = `Value of condition ${index + 1}`
    const info = fieldInfo(condition.field)
    const options =
      info.kind === 'boolean'
        ? [
            { value: 'true', label: 'true' },
            { value: 'false', label: 'false' },
          ]
        : condition.field === 'template' &&
            templates.length > 0 &&
            (condition.operator === '=' || condition.operator === '!=')
          ? templates.map((template) => ({ value: template['@id'], label: templateName(template) }))
          : condition.field === 'organization' && organizations.length > 0
            ? organizations.map((organization) => ({
                value: organization.id,
                label: organization.displayName,
              }))
            : null
    if (!options)
      return (
        <input
          aria-label={label}
          value={condition.value}
          onChange={(event) => update(index, { value: event.target.value })}
        />
      )
    const known = options.some((option) => option.value === condition.value)
    return (
      <select
        aria-label={label}
        value={condition.value}
        onChange={(event) => update(index, { value: event.target.value })}
      >
        {known ? null : <option value={condition.value}>{condition.value}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    )
  }

  return (
    <fieldset className="filter-editor">
      <legend>Devices in the group</legend>
      <div className="mode-switch" role="group" aria-label="Edit the filter as">
        <button
          type="button"
          className={mode === 'conditions' ? undefined : 'secondary'}
          aria-pressed={mode === 'conditions'}
          onClick={toConditions}
        >
          Conditions
        </button>
        <button
          type="button"
          className={mode === 'text' ? undefined : 'secondary'}
          aria-pressed={mode === 'text'}
          onClick={() => {
            setNotice('')
            setMode('text')
          }}
        >
          Query text
        </button>
      </div>
      {notice ? (
        <p className="warning" role="note">
          {notice}
        </p>
      ) : null}
      {mode === 'conditions' && conditions ? (
        <>
          {conditions.length === 0 ? <p>Every device (no conditions).</p> : null}
          {conditions.map((condition, index) => (
            <div className="condition" key={index}>
              <select
                aria-label={`Field of condition ${index + 1}`}
                value={condition.field}
                onChange={(event) => {
                  const field = event.target.value as FieldName
                  const keeps = operatorsFor(field).some((o) => o.operator === condition.operator)
                  update(index, {
                    field,
                    value: firstValue(field),
                    ...(keeps ? {} : { operator: '=' }),
                  })
                }}
              >
                {FIELDS.map((info) => (
                  <option key={info.field} value={info.field}>
                    {info.label}
                  </option>
                ))}
              </select>
              <select
                aria-label={`Operator of condition ${index + 1}`}
                value={condition.operator}
                onChange={(event) => update(index, { operator: event.target.value as Operator })}
              >
                {operatorsFor(condition.field).map((option) => (
                  <option key={option.operator} value={option.operator}>
                    {option.label}
                  </option>
                ))}
              </select>
              {valueControl(condition, index)}
              <button
                type="button"
                className="secondary"
                aria-label={`Remove condition ${index + 1}`}
                onClick={() => change(conditions.filter((_, at) => at !== index))}
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            className="secondary add-condition"
            onClick={() =>
              change([
                ...conditions,
                { field: 'template', operator: '=', value: firstValue('template') },
              ])
            }
          >
            Add condition
          </button>
          <p className="query-text">
            <code>{value}</code>
          </p>
        </>
      ) : (
        <>
          <label htmlFor="group-filter">Query</label>
          <textarea
            id="group-filter"
            rows={3}
            required
            value={value}
            onChange={(event) => onChange(event.target.value)}
          />
        </>
      )}
    </fieldset>
  )
}
