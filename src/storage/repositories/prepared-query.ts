import type { Compilable, CompiledQuery } from 'kysely'
import type { Store } from '../store.js'
import type { Executor } from './executor.js'

/**
 * A read of one row built and compiled once per store, then run with new parameters through
 * `Store.readRow`:
 * for the few queries on the hot path, where building, compiling and queueing for Kysely's
 * connection would cost more than running. `build` receives placeholder values and must use each
 * parameter exactly once, in order. Not for reads inside a transaction (use the repository's
 * Kysely methods there).
 */
export function preparedRowRead<Row, Params extends unknown[]>(
  build: (db: Executor, ...placeholders: Params) => Compilable<Row>,
  placeholders: Params,
): (store: Store, ...params: Params) => Row | undefined | Promise<Row | undefined> {
  const compiled = new WeakMap<Store, CompiledQuery<Row>>()
  return (store, ...params) => {
    let query = compiled.get(store)
    if (!query) {
      query = build(store.db, ...placeholders).compile()
      compiled.set(store, query)
    }
    return store.readRow<Row>({ ...query, parameters: params })
  }
}

/**
 * A multi-row write compiled once per row count and engine, then run with new values: for the
 * telemetry batches, where building and compiling a statement of hundreds of rows cost more than
 * SQLite takes to run it. `build` writes `rows` (whose values are placeholders when compiling);
 * the statement's parameters must be exactly the rows' `columns`, row after row, which is checked
 * when it is compiled. Use few row counts (see statement-sized-chunks.ts): each is compiled once.
 */
export function preparedRowsWrite<Row extends Record<string, unknown>>(
  columns: readonly (keyof Row & string)[],
  build: (db: Executor, rows: readonly Row[]) => Compilable<unknown>,
): (db: Executor, rows: readonly Row[]) => Promise<void> {
  const compiled = new Map<string, CompiledQuery<unknown>>()
  return async (db, rows) => {
    const adapter = db.getExecutor().adapter
    const key = `${adapter.constructor.name}:${rows.length}`
    let query = compiled.get(key)
    if (!query) {
      query = compileRowsWrite(db, rows.length, columns, build)
      compiled.set(key, query)
    }
    const parameters: unknown[] = new Array(rows.length * columns.length)
    let at = 0
    for (const row of rows) for (const column of columns) parameters[at++] = row[column]
    await db.executeQuery({ ...query, parameters })
  }
}

function compileRowsWrite<Row extends Record<string, unknown>>(
  db: Executor,
  count: number,
  columns: readonly (keyof Row & string)[],
  build: (db: Executor, rows: readonly Row[]) => Compilable<unknown>,
): CompiledQuery<unknown> {
  // Each placeholder names its place, so the parameter order can be checked, not assumed.
  const placeholders = Array.from(
    { length: count },
    (_, r) => Object.fromEntries(columns.map((column, c) => [column, `${r}:${c}`])) as Row,
  )
  const query = build(db, placeholders).compile()
  const expected = placeholders.flatMap((_, r) => columns.map((_c, c) => `${r}:${c}`))
  if (query.parameters.length !== expected.length || query.parameters.some((p, i) => p !== expected[i])) {
    throw new Error(`preparedRowsWrite: the statement's parameters are not the rows' columns in order: ${query.sql.slice(0, 80)}`)
  }
  return query
}
