import type { Compilable, CompiledQuery } from 'kysely'
import type { Store } from '../store.js'
import type { Executor } from './executor.js'

/**
 * A read built and compiled once per store, then run with new parameters through `Store.read`:
 * for the few queries on the hot path, where building, compiling and queueing for Kysely's
 * connection would cost more than running. `build` receives placeholder values and must use each
 * parameter exactly once, in order. Not for reads inside a transaction (use the repository's
 * Kysely methods there).
 */
export function preparedRead<Row, Params extends unknown[]>(
  build: (db: Executor, ...placeholders: Params) => Compilable<Row>,
  placeholders: Params,
): (store: Store, ...params: Params) => Row[] | Promise<Row[]> {
  const compiled = new WeakMap<Store, CompiledQuery<Row>>()
  return (store, ...params) => {
    let query = compiled.get(store)
    if (!query) {
      query = build(store.db, ...placeholders).compile()
      compiled.set(store, query)
    }
    return store.read<Row>({ ...query, parameters: params })
  }
}
