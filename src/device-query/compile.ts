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
export function compileCondition(eb: Devices, condition: Condition, dialect: Dialect, negated = false): Expression<SqlBool> {
  switch (condition.kind) {
    case 'not':
      return compileCondition(eb, condition.operand, dialect, !negated)
    case 'and':
    case 'or': {
      const operands = condition.operands.map((operand) => compileCondition(eb, operand, dialect, negated))
      return (condition.kind === 'and') !== negated ? eb.and(operands) : eb.or(operands)
    }
    case 'flag':
      return eb(COLUMNS[condition.property], '=', condition.value !== negated ? 1 : 0)
    case 'text': {
      const column = COLUMNS[condition.property]
      const matches = textMatch(eb, column, condition.match, condition.value, dialect)
      if (!negated) return matches
      const fails = eb.not(matches)
      return NULLABLE.has(column) ? eb.or([eb(column, 'is', null), fails]) : fails
    }
  }
}

/** Whether the column's text matches; false (or NULL) for an empty column. */
function textMatch(eb: Devices, column: Column, match: TextMatch, value: string, dialect: Dialect): Expression<SqlBool> {
  if (match === 'equals') return eb(column, '=', value)
  // The empty string starts, ends and is contained in every text.
  if (value === '') return eb(column, 'is not', null)
  // Both engines count characters (code points), as the spread does.
  const length = sql.lit([...value].length)
  const ref = sql.ref(column)
  switch (match) {
    case 'startsWith':
      return eb(sql<string>`substr(${ref}, 1, ${length})`, '=', value)
    case 'endsWith':
      return dialect === 'postgres'
        ? eb(sql<string>`right(${ref}, ${length})`, '=', value)
        : eb(sql<string>`substr(${ref}, -${length})`, '=', value)
    case 'contains':
      return dialect === 'postgres'
        ? eb(sql<number>`strpos(${ref}, ${value})`, '>', 0)
        : eb(sql<number>`instr(${ref}, ${value})`, '>', 0)
  }
}
