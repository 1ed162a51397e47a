import type { CsvFault, CsvRecord } from './csv-records.js'
import { invalidDeviceId, isDeviceId } from './device.service.js'

/** The columns an import file may have, each with the header names it goes by (any case). */
const COLUMN_NAMES = {
  id: ['iotc_deviceid', 'id'],
  name: ['iotc_devicename', 'name', 'displayname'],
  template: ['template'],
  organization: ['organization', 'organizations'],
  simulated: ['simulated'],
  enabled: ['enabled'],
} as const

type Column = keyof typeof COLUMN_NAMES

/** Where each known column sits in a record; columns the file lacks are absent. */
export interface ImportColumns {
  positions: Partial<Record<Column, number>>
  /** How many fields the header has: a row with more cannot be read safely. */
  width: number
}

/** The file cannot be imported at all: no header, or a header without a device id column. */
export class ImportFileError extends Error {
  override name = 'ImportFileError'
}

/** The device columns each file column fills: only those are replaced by `--update`. */
export const DEVICE_COLUMN_OF = {
  name: 'display_name',
  template: 'template',
  organization: 'organization_id',
  simulated: 'simulated',
  enabled: 'enabled',
} as const satisfies Record<Exclude<Column, 'id'>, string>

/** The device columns the file has. */
export function presentDeviceColumns(columns: ImportColumns) {
  return (Object.keys(DEVICE_COLUMN_OF) as (keyof typeof DEVICE_COLUMN_OF)[])
    .filter((column) => columns.positions[column] !== undefined)
    .map((column) => DEVICE_COLUMN_OF[column])
}

/** A row that cannot become a device, with the line it is on and why. */
export interface RejectedRow {
  line: number
  id?: string
  reason: string
}

/** A row that passed every check that needs no store. */
export interface ImportCandidate {
  line: number
  id: string
  displayName: string
  template: string | null
  organization: string | null
  enabled: boolean
  simulated: boolean
}

/** Reads the header row: names are matched in any case; columns of other names are ignored. */
export function importColumns(header: CsvRecord | CsvFault): ImportColumns {
  if ('fault' in header) throw new ImportFileError(`line ${header.line}: ${header.fault}`)
  const names = header.fields.map((name) => name.trim().toLowerCase())
  const positions: ImportColumns['positions'] = {}
  for (const [column, aliases] of Object.entries(COLUMN_NAMES) as [Column, readonly string[]][]) {
    const found = names.flatMap((name, i) => (aliases.includes(name) ? [i] : []))
    if (found.length > 1) {
      const given = found.map((i) => header.fields[i]?.trim()).join(', ')
      throw new ImportFileError(`the header names the ${column} column more than once (${given})`)
    }
    if (found[0] !== undefined) positions[column] = found[0]
  }
  if (positions.id === undefined) {
    throw new ImportFileError(
      `the first row must be a header naming the device id column (IOTC_DEVICEID or id); it reads '${header.fields.join(',')}'`,
    )
  }
  return { positions, width: header.fields.length }
}

const MAX_DISPLAY_NAME = 200

/** Checks one row by itself (the store is asked later, a batch at a time). */
export function readCandidate(
  record: CsvRecord | CsvFault,
  columns: ImportColumns,
): ImportCandidate | RejectedRow {
  if ('fault' in record) return { line: record.line, reason: record.fault }
  const { line, fields } = record
  const cell = (column: Column): string => {
    const position = columns.positions[column]
    return position === undefined ? '' : (fields[position] ?? '').trim()
  }
  const id = cell('id')
  if (fields.length > columns.width) {
    return {
      line,
      id,
      reason: `has ${fields.length} fields but the header has ${columns.width} (a comma in an unquoted value?)`,
    }
  }
  if (id === '') return { line, reason: 'the device id is empty' }
  if (!isDeviceId(id)) return { line, id, reason: invalidDeviceId(id) }
  const displayName = cell('name') || id
  if (displayName.length > MAX_DISPLAY_NAME) {
    return { line, id, reason: `the name is longer than ${MAX_DISPLAY_NAME} characters` }
  }
  const enabled = readBoolean(cell('enabled'), true)
  if (enabled === null) return { line, id, reason: notBoolean('enabled', cell('enabled')) }
  const simulated = readBoolean(cell('simulated'), false)
  if (simulated === null) return { line, id, reason: notBoolean('simulated', cell('simulated')) }
  return {
    line,
    id,
    displayName,
    template: cell('template') || null,
    organization: cell('organization') || null,
    enabled,
    simulated,
  }
}

export const isRejected = (row: ImportCandidate | RejectedRow): row is RejectedRow =>
  'reason' in row

/** `true`/`false` or `1`/`0`, in any case; an empty cell takes the API's default. */
function readBoolean(value: string, empty: boolean): boolean | null {
  switch (value.toLowerCase()) {
    case '':
      return empty
    case 'true':
    case '1':
      return true
    case 'false':
    case '0':
      return false
    default:
      return null
  }
}

const notBoolean = (column: string, value: string): string =>
  `${column}: '${value}' is not a boolean (true, false, 1 or 0)`
