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

export type Operator = '=' | '!=' | 'startsWith' | 'endsWith' | 'contains'

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
  /** Whether the string functions (starts with, ends with, contains) apply. */
  functions?: boolean
}

export const FIELDS: FieldInfo[] = [
  { field: 'template', label: 'Device template', name: '$template', kind: 'text', functions: true },
  { field: 'provisioned', label: 'Provisioned', name: '$provisioned', kind: 'boolean' },
  { field: 'simulated', label: 'Simulated', name: '$simulated', kind: 'boolean' },
  { field: 'enabled', label: 'Enabled', name: '$enabled', kind: 'boolean' },
  { field: 'organization', label: 'Organization', name: '$organizations', kind: 'text' },
  { field: 'id', label: 'Device id', name: '$id', kind: 'text', functions: true },
  {
    field: 'displayName',
    label: 'Device name',
    name: '$displayName',
    kind: 'text',
    functions: true,
  },
]

export const OPERATORS: { operator: Operator; label: string; function?: string }[] = [
  { operator: '=', label: 'is' },
  { operator: '!=', label: 'is not' },
  { operator: 'startsWith', label: 'starts with', function: 'STARTSWITH' },
  { operator: 'endsWith', label: 'ends with', function: 'ENDSWITH' },
  { operator: 'contains', label: 'contains', function: 'CONTAINS' },
]

/** The operators a field takes. */
export const operatorsFor = (field: FieldName) =>
  OPERATORS.filter((option) => !option.function || fieldInfo(field).functions)

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
    const fn = OPERATORS.find((option) => option.operator === condition.operator)?.function
    return fn ? `${fn}(${info.name}, ${value})` : `${info.name} ${condition.operator} ${value}`
  })
  return `${ALL_DEVICES} WHERE ${terms.join(' AND ')}`
}

const STRING = `"(?:[^"\\\\]|\\\\.)*"|'(?:[^'\\\\]|\\\\.)*'`
const END = `\\s*(?:(AND)\\s+|$)`
const TERM = new RegExp(`^\\s*(\\$[A-Za-z]+)\\s*(=|!=|<>)\\s*(${STRING}|true|false)${END}`, 'i')
const CALL = new RegExp(
  `^\\s*(STARTSWITH|ENDSWITH|CONTAINS)\\s*\\(\\s*(\\$[A-Za-z]+)\\s*,\\s*(${STRING})\\s*\\)${END}`,
  'i',
)

/** The conditions a query is made of, or null when it says more than simple conditions can. */
export function fromQuery(query: string): Condition[] | null {
  const match = /^\s*SELECT\s+\*\s+FROM\s+devices(?:\s+WHERE\s+([\s\S]+?))?\s*$/i.exec(query)
  if (!match) return null
  let rest = match[1] ?? ''
  const conditions: Condition[] = []
  while (rest.trim() !== '') {
    const call = CALL.exec(rest)
    const term = call ? null : TERM.exec(rest)
    if (!call && !term) return null
    const [whole, name, sign, literal, and] = call
      ? [call[0], call[2], call[1], call[3], call[4]]
      : (term as unknown as string[])
    const operator = call
      ? OPERATORS.find((option) => option.function === sign!.toUpperCase())!.operator
      : sign === '='
        ? '='
        : '!='
    const info = FIELDS.find((candidate) => candidate.name.toLowerCase() === name!.toLowerCase())
    if (!info) return null
    if (call && !info.functions) return null
    const isBoolean = /^(true|false)$/i.test(literal!)
    if (isBoolean !== (info.kind === 'boolean')) return null
    const value = isBoolean
      ? literal!.toLowerCase()
      : literal!.slice(1, -1).replace(/\\(.)/g, '$1')
    conditions.push({ field: info.field, operator, value })
    rest = rest.slice(whole!.length)
    if (!and && rest.trim() !== '') return null
    if (and && rest.trim() === '') return null
  }
  return conditions
}
