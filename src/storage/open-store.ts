import { Migrator } from 'kysely/migration'
import type { Config } from '../config/schema.js'
import { openPostgresStore } from './dialects/postgres.js'
import { openSqliteStore } from './dialects/sqlite.js'
import { migrationsFor } from './migrations/index.js'
import type { Store } from './store.js'

export class MigrationError extends Error {
  override name = 'MigrationError'
}

/** Opens the configured store and brings its schema up to date. */
export async function openStore(
  config: Pick<Config, 'dataDir' | 'databaseUrl'>,
): Promise<Store> {
  const store = config.databaseUrl
    ? await openPostgresStore(config.databaseUrl)
    : openSqliteStore(config.dataDir)
  try {
    await migrateStore(store)
  } catch (error) {
    await store.close()
    throw error
  }
  return store
}

/** Runs every pending migration; throws a `MigrationError` naming the one that failed. */
export async function migrateStore(store: Store): Promise<string[]> {
  const migrations = migrationsFor(store.dialect)
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    // Migrations added on parallel lines of work touch separate tables: a store that has run a
    // later one still runs an earlier one it has not seen, once.
    allowUnorderedMigrations: true,
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'migrations'
    throw new MigrationError(`Could not migrate the store (${failed}): ${String(error)}`, {
      cause: error,
    })
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
