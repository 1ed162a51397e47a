import type { CommandContext } from './command.js'
import { table, UsageError } from './output.js'

/** `-o/--output` and `--query`, named as az names them, for the commands that print data. */
export const DATA_OPTIONS = { output: { short: 'o' }, query: {} }

const FORMATS = ['json', 'table', 'tsv'] as const
type Format = (typeof FORMATS)[number]

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/
const LIST_FIELD = /^\[\]\.([A-Za-z_][A-Za-z0-9_]*)$/

/**
 * The subset of az's JMESPath `--query` that names one field: `name` of an object, `[].name` of
 * each item of a list. Anything else is refused rather than half-understood.
 */
function select(data: unknown, query: string): unknown {
  const listField = LIST_FIELD.exec(query)?.[1]
  if (listField !== undefined) {
    if (!Array.isArray(data)) throw new UsageError(`--query ${query}: this command prints one object; use --query ${listField}`)
    return data.map((item) => (item as Record<string, unknown>)[listField] ?? null)
  }
  if (FIELD.test(query)) {
    if (Array.isArray(data)) throw new UsageError(`--query ${query}: this command prints a list; use --query [].${query}`)
    return (data as Record<string, unknown>)[query] ?? null
  }
  throw new UsageError(
    `--query '${query}': only a field name ('accessToken') or a field of every list item ('[].id') is understood, not full JMESPath`,
  )
}

/** Refuses a bad -o or --query before the command does anything. */
export function checkDataOptions(flags: Record<string, string | undefined>): void {
  if (flags.output !== undefined) outputFormat(flags.output, false, 'table')
  const query = flags.query
  if (query !== undefined && !FIELD.test(query) && !LIST_FIELD.test(query)) select(undefined, query)
}

const cell = (value: unknown): string =>
  value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value)

/** az's tsv: one line per list item, an object's values separated by tabs, no header. */
function tsvLines(data: unknown): string[] {
  const row = (value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.values(value).map(cell).join('\t')
      : cell(value)
  return Array.isArray(data) ? data.map(row) : [row(data)]
}

/**
 * Prints a command's data as `-o json|table|tsv` asks (`--json` is the older spelling of
 * `-o json`, kept on one line), after `--query`. `human` prints the command's own table for
 * `-o table` (or the default when it is `table`), else the fields become columns; a query result is printed value by value.
 */
export function printData(
  { flags, switches, output }: CommandContext,
  data: unknown,
  human: (() => void) | undefined,
  defaultFormat: Format = 'table',
): void {
  const format = outputFormat(flags.output, switches.has('json'), defaultFormat)
  const selected = flags.query === undefined ? data : select(data, flags.query)
  if (switches.has('json') && flags.output === undefined && flags.query === undefined) {
    output.out(JSON.stringify(data))
  } else if (format === 'json') {
    output.out(JSON.stringify(selected, null, 2))
  } else if (format === 'tsv' || flags.query !== undefined) {
    for (const line of tsvLines(selected)) output.out(line)
  } else if (human) {
    human()
  } else {
    const rows = (Array.isArray(data) ? data : [data]) as Record<string, unknown>[]
    const header = Object.keys(rows[0] ?? {})
    table(output, header.map((h) => h.toUpperCase()), rows.map((r) => header.map((h) => cell(r[h]))))
  }
}

function outputFormat(given: string | undefined, json: boolean, fallback: Format): Format {
  if (given === undefined) return json ? 'json' : fallback
  if (!(FORMATS as readonly string[]).includes(given)) {
    throw new UsageError(`--output: '${given}' is not one of ${FORMATS.join(', ')}`)
  }
  return given as Format
}
