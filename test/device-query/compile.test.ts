import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely'
import { compileCondition, parseDeviceQuery, servedByIndex, type Condition } from '../../src/device-query/index.js'
import type { Database } from '../../src/storage/schema.js'
import type { Dialect } from '../../src/storage/store.js'

const databases: Record<Dialect, Kysely<Database>> = {
  sqlite: new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  }),
  postgres: new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  }),
}

const condition = (filter: string): Condition => parseDeviceQuery(`SELECT * FROM devices WHERE ${filter}`).where as Condition

function compiled(dialect: Dialect, filter: string, useIndexes = true) {
  const where = condition(filter)
  const query = databases[dialect]
    .selectFrom('devices')
    .select('id')
    .where((eb) => compileCondition(eb, where, dialect, { useIndexes }))
    .compile()
  return { sql: query.sql.replace(/^select "id" from "devices" where /, ''), parameters: [...query.parameters] }
}

describe('device query: compiled to SQL', () => {
  it('binds every value as a parameter, whatever it holds', () => {
    const hostile = [`' OR 1=1 --`, `"; DROP TABLE devices; --`, `x') OR ('1'='1`, '$1', '?', '\\', '%_']
    for (const dialect of ['sqlite', 'postgres'] as const) {
      for (const value of hostile) {
        const literal = JSON.stringify(value)
        for (const filter of [`$displayName = ${literal}`, `CONTAINS($id, ${literal})`, `STARTSWITH($template, ${literal})`, `ENDSWITH($displayName, ${literal})`]) {
          const { sql, parameters } = compiled(dialect, filter)
          assert.ok(parameters.includes(value), `${dialect} ${filter}: ${JSON.stringify(parameters)}`)
          // ('?' and '$1' are placeholders themselves.)
          if (value.length > 2) assert.ok(!sql.includes(value), `${dialect} ${filter}: the value is in the SQL: ${sql}`)
        }
      }
    }
  })

  it('writes comparisons, functions and flags per engine', () => {
    assert.deepEqual(compiled('sqlite', '$template = "t" AND $provisioned = true'), {
      sql: '("template" = ? and "provisioned" = ?)',
      parameters: ['t', 1],
    })
    assert.deepEqual(compiled('postgres', '$template = "t" AND $provisioned = true'), {
      sql: '("template" = $1 and "provisioned" = $2)',
      parameters: ['t', 1],
    })
    assert.deepEqual(compiled('sqlite', 'STARTSWITH($id, "ab")'), { sql: 'substr("id", 1, 2) = ?', parameters: ['ab'] })
    assert.deepEqual(compiled('sqlite', 'ENDSWITH($id, "🌡x")'), { sql: 'substr("id", -2) = ?', parameters: ['🌡x'] })
    assert.deepEqual(compiled('postgres', 'ENDSWITH($id, "ab")'), { sql: 'right("id", 2) = $1', parameters: ['ab'] })
    assert.deepEqual(compiled('sqlite', 'CONTAINS($id, "ab")'), { sql: 'instr("id", ?) > ?', parameters: ['ab', 0] })
    assert.deepEqual(compiled('postgres', 'CONTAINS($id, "ab")'), { sql: 'strpos("id", $1) > $2', parameters: ['ab', 0] })
  })

  it('pushes NOT down to the comparisons, a missing template or organization failing every match', () => {
    assert.deepEqual(compiled('sqlite', 'NOT ($template = "t" OR $simulated = true)'), {
      sql: '(("template" is null or not "template" = ?) and "simulated" = ?)',
      parameters: ['t', 0],
    })
    assert.deepEqual(compiled('sqlite', '$organizations != "wa"'), {
      sql: '("organization_id" is null or not "organization_id" = ?)',
      parameters: ['wa'],
    })
    assert.deepEqual(compiled('sqlite', '$id != "a"'), { sql: 'not "id" = ?', parameters: ['a'] })
    assert.deepEqual(compiled('sqlite', 'NOT NOT $enabled = false'), { sql: '"enabled" = ?', parameters: [0] })
  })

  it('keeps SQLite off the filter columns\' indexes when asked, and PostgreSQL as it is', () => {
    assert.deepEqual(compiled('sqlite', '$template = "t" OR $simulated = true', false), {
      sql: '(+"template" = ? or +"simulated" = ?)',
      parameters: ['t', 1],
    })
    assert.deepEqual(compiled('postgres', '$template = "t" OR $simulated = true', false), {
      sql: '("template" = $1 or "simulated" = $2)',
      parameters: ['t', 1],
    })
  })

  it('knows which conditions an index hands over in id order', () => {
    for (const filter of ['$template = "t"', '$template = "t" AND $provisioned = true', '$simulated = false', 'NOT $enabled = true', '$id = "a"', '$organizations = "wa"', 'NOT ($simulated = true OR $enabled = false)']) {
      assert.equal(servedByIndex(condition(filter)), true, filter)
    }
    for (const filter of ['$template = "t" OR $simulated = true', '$template != "t"', 'STARTSWITH($id, "a")', '$displayName = "x"', 'NOT ($simulated = true AND $enabled = false)']) {
      assert.equal(servedByIndex(condition(filter)), false, filter)
    }
  })
})
