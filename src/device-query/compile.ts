import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'
import type { Database } from '../storage/schema.js'
import type { Dialect } from '../storage/store.js'
import type { Condition, Property, TextMatch } from './ast.js'

type Devices = ExpressionBuilder<Database, 'devices'>
type Column = 'id' | 'display_name' | 'template' | 'organization_id' | 'provisioned' | 'simulated' | 'enabled'

const COLUMNS: Readonly<Record<Property, Column>> = {
  id: 'id',
  displayName: 'display_name',
  template: 'template',
  organizations: 'organization_id',
  provisioned: 'provisioned',
  simulated: 'simulated',
  enabled: 'enabled',
}

/** Columns a device may leave empty: no template, no organization (the root). */
const NULLABLE: ReadonlySet<Column> = new Set(['template', 'organization_id'])

/**
 * The condition as a WHERE expression on `devices`. Every value is a bound parameter; only
 * lengths (numbers the compiler computes) are written into the SQL.
 *
 * NOT is pushed down to the comparisons (De Morgan), so that each negated comparison can say
 * what it means for a device without a template or organization: `$template != "x"` holds for
 * it, as does `NOT STARTSWITH($template, "x")`. SQL's NULL would otherwise drop such devices from
 * both a condition and its negation.
 */
export function compileCondition(
  eb: Devices,
  condition: Condition,
  dialect: Dialect,
  options: CompileOptions = {},
): Expression<SqlBool> {
  return compile(eb, condition, dialect, options.useIndexes !== false || dialect === 'postgres', false)
}

export interface CompileOptions {
  /**
   * false: SQLite must not serve the condition's columns from an index (each column is written
   * `+column`, SQLite's way of saying so), so that the page is read along the id (or organization)
   * index and the condition checked on each row. SQLite keeps no statistics: left to itself it may
   * pick the index of a flag over the organization's, or join two indexes for an OR and sort every
   * match to answer a page. PostgreSQL chooses from its statistics and is left alone.
   */
  useIndexes?: boolean
}

/**
 * Whether an index can hand over the condition's devices in id order: equalities joined by AND
 * (`$template = "…" AND $provisioned = true`), each served by an index ending in id.
 */
export function servedByIndex(condition: Condition, negated = false): boolean {
  switch (condition.kind) {
    case 'not':
      return servedByIndex(condition.operand, !negated)
    case 'and':
    case 'or':
      return (condition.kind === 'and') !== negated && condition.operands.every((operand) => servedByIndex(operand, negated))
    case 'flag':
      return true
    case 'text':
      return !negated && condition.match === 'equals' && condition.property !== 'displayName'
  }
}

function compile(eb: Devices, condition: Condition, dialect: Dialect, indexes: boolean, negated: boolean): Expression<SqlBool> {
  switch (condition.kind) {
    case 'not':
      return compile(eb, condition.operand, dialect, indexes, !negated)
    case 'and':
    case 'or': {
      const operands = condition.operands.map((operand) => compile(eb, operand, dialect, indexes, negated))
      return (condition.kind === 'and') !== negated ? eb.and(operands) : eb.or(operands)
    }
    case 'flag':
      return eb(ref(COLUMNS[condition.property], indexes), '=', condition.value !== negated ? 1 : 0)
    case 'text': {
      const column = COLUMNS[condition.property]
      const matches = textMatch(eb, column, indexes, condition.match, condition.value, dialect)
      if (!negated) return matches
      const fails = eb.not(matches)
      return NULLABLE.has(column) ? eb.or([eb(ref(column, indexes), 'is', null), fails]) : fails
    }
  }
}

/** The column, or (SQLite) `+column`: the same value, which no index serves. */
function ref(column: Column, indexes: boolean) {
  return indexes ? sql.ref<string | number | null>(column) : sql<string | number | null>`+${sql.ref(column)}`
}

/** Whether the column's text matches; false (or NULL) for an empty column. */
function textMatch(
  eb: Devices,
  column: Column,
  indexes: boolean,
  match: TextMatch,
  value: string,
  dialect: Dialect,
): Expression<SqlBool> {
  if (match === 'equals') return eb(ref(column, indexes), '=', value)
  // The empty string starts, ends and is contained in every text.
  if (value === '') return eb(ref(column, indexes), 'is not', null)
  // Both engines count characters (code points), as the spread does.
  const length = sql.lit([...value].length)
  const text = sql.ref(column)
  switch (match) {
    case 'startsWith':
      return eb(sql<string>`substr(${text}, 1, ${length})`, '=', value)
    case 'endsWith':
      return dialect === 'postgres'
        ? eb(sql<string>`right(${text}, ${length})`, '=', value)
        : eb(sql<string>`substr(${text}, -${length})`, '=', value)
    case 'contains':
      return dialect === 'postgres'
        ? eb(sql<number>`strpos(${text}, ${value})`, '>', 0)
        : eb(sql<number>`instr(${text}, ${value})`, '>', 0)
  }
}
