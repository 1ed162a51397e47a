import { sql } from 'kysely'
import { DEFAULT_MIGRATION_TABLE } from 'kysely/migration'
import { migrationsFor } from './migrations/index.js'
import type { Store } from './store.js'

/** How a store's schema compares with the migrations this version has. */
export interface SchemaState {
  /** The store holds an OpenCentral schema at all (some migration has run). */
  exists: boolean
  /** Migrations the store has run that this version does not know: a newer version ran them. */
  newer: string[]
  /** Migrations this version has that the store has not run. */
  pending: string[]
}

/** Reads which migrations the store has run, without changing anything. */
export async function schemaState(store: Store): Promise<SchemaState> {
  const known = Object.keys(migrationsFor(store.dialect))
  const applied = await appliedMigrations(store)
  const ran = new Set(applied)
  return {
    exists: applied.length > 0,
    newer: applied.filter((name) => !known.includes(name)),
    pending: known.filter((name) => !ran.has(name)),
  }
}

async function appliedMigrations(store: Store): Promise<string[]> {
  const exists =
    store.dialect === 'sqlite'
      ? sql<{ found: number }>`select count(*) as found from sqlite_master where type = 'table' and name = ${DEFAULT_MIGRATION_TABLE}`
      : sql<{ found: number }>`select count(*)::int as found from information_schema.tables where table_schema = current_schema() and table_name = ${DEFAULT_MIGRATION_TABLE}`
  const { rows } = await exists.execute(store.db)
  if (Number(rows[0]?.found ?? 0) === 0) return []
  const names = await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)} order by name`.execute(store.db)
  return names.rows.map((row) => row.name)
}

/** The store's schema is not the one this version works with; says which is newer and what to do. */
export class SchemaMismatch extends Error {
  override name = 'SchemaMismatch'

  static newer(names: string[]): SchemaMismatch {
    return new SchemaMismatch(
      `the store's schema is newer than this opencentral: it has run migrations this version does not know (${names.join(', ')}). Use the opencentral version that migrated it, or a newer one; a store is never migrated down.`,
    )
  }

  static older(names: string[]): SchemaMismatch {
    return new SchemaMismatch(
      `the store's schema is older than this opencentral: ${names.length} migration(s) not run yet (${names.join(', ')}). Run 'opencentral migrate' with the same --data/--database once the nodes serving this store are stopped or upgraded ('opencentral start' migrates by default), or use the opencentral version the store was made with.`,
    )
  }
}
