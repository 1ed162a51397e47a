// A device group's filter in IoT Central's query syntax, as simple conditions and back:
//   SELECT * FROM devices WHERE $template = "dtmi:…" AND $provisioned = true

export type FieldName =
  | 'template'
  | 'provisioned'
  | 'simulated'
  | 'enabled'
  | 'organization'
  | 'id'
  | 'displayName'

export type Operator = '=' | '!='

export interface Condition {
  field: FieldName
  operator: Operator
  value: string
}

export interface FieldInfo {
  field: FieldName
  label: string
  /** How the query names it. */
  name: string
  kind: 'text' | 'boolean'
}

export const FIELDS: FieldInfo[] = [
  { field: 'template', label: 'Device template', name: '$template', kind: 'text' },
  { field: 'provisioned', label: 'Provisioned', name: '$provisioned', kind: 'boolean' },
  { field: 'simulated', label: 'Simulated', name: '$simulated', kind: 'boolean' },
  { field: 'enabled', label: 'Enabled', name: '$enabled', kind: 'boolean' },
  { field: 'organization', label: 'Organization', name: '$organizations', kind: 'text' },
  { field: 'id', label: 'Device id', name: '$id', kind: 'text' },
  { field: 'displayName', label: 'Device name', name: '$displayName', kind: 'text' },
]

export const OPERATORS: { operator: Operator; label: string }[] = [
  { operator: '=', label: 'is' },
  { operator: '!=', label: 'is not' },
]

export const fieldInfo = (field: FieldName) =>
  FIELDS.find((info) => info.field === field) as FieldInfo

export const ALL_DEVICES = 'SELECT * FROM devices'

const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`

/** The query the conditions make (all of them must hold). */
export function toQuery(conditions: Condition[]): string {
  if (conditions.length === 0) return ALL_DEVICES
  const terms = conditions.map((condition) => {
    const info = fieldInfo(condition.field)
    const value =
      info.kind === 'boolean' ? (condition.value === 'false' ? 'false' : 'true') : quote(condition.value)
    return `${info.name} ${condition.operator} ${value}`
  })
  return `${ALL_DEVICES} WHERE ${terms.join(' AND ')}`
}

const TERM =
  /^\s*(\$[A-Za-z]+)\s*(=|!=|<>)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|true|false)\s*(?:(AND)\s+|$)/i

/** The conditions a query is made of, or null when it says more than simple conditions can. */
export function fromQuery(query: string): Condition[] | null {
  const match = /^\s*SELECT\s+\*\s+FROM\s+devices(?:\s+WHERE\s+([\s\S]+?))?\s*$/i.exec(query)
  if (!match) return null
  let rest = match[1] ?? ''
  const conditions: Condition[] = []
  while (rest.trim() !== '') {
    const term = TERM.exec(rest)
    if (!term) return null
    const [whole, name, operator, literal, and] = term as unknown as string[]
    const info = FIELDS.find((candidate) => candidate.name.toLowerCase() === name!.toLowerCase())
    if (!info) return null
    const isBoolean = /^(true|false)$/i.test(literal!)
    if (isBoolean !== (info.kind === 'boolean')) return null
    const value = isBoolean
      ? literal!.toLowerCase()
      : literal!.slice(1, -1).replace(/\\(.)/g, '$1')
    conditions.push({ field: info.field, operator: operator === '=' ? '=' : '!=', value })
    rest = rest.slice(whole!.length)
    if (!and && rest.trim() !== '') return null
    if (and && rest.trim() === '') return null
  }
  return conditions
}
