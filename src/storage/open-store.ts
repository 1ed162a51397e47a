import { existsSync } from 'node:fs'
import path from 'node:path'
import { Migrator } from 'kysely/migration'
import type { Config } from '../config/schema.js'
import { openPostgresStore } from './dialects/postgres.js'
import { openSqliteStore, SQLITE_FILE_NAME } from './dialects/sqlite.js'
import { migrationsFor } from './migrations/index.js'
import { SchemaMismatch, schemaState } from './schema-state.js'
import type { Store } from './store.js'

export class MigrationError extends Error {
  override name = 'MigrationError'
}

/** When a store's schema is brought up to date, and whether a new store may be made. */
export interface OpenOptions {
  /**
   * `migrate` runs the pending migrations (`start`, `migrate`, `init`); `check` refuses a store
   * whose schema differs from this version's, so a newer CLI never changes the schema under
   * running older nodes. A store migrated by a newer version is refused either way.
   */
  schema: 'migrate' | 'check'
  /** Whether a store that does not exist yet may be made (false: `StoreNotFound`). */
  create: boolean
  /** Told the migrations that were run. */
  migrated?(names: string[]): void
}

/** There is no OpenCentral store where the configuration points. */
export class StoreNotFound extends Error {
  override name = 'StoreNotFound'
  constructor(
    /** Where it was looked for, without credentials. */
    readonly where: string,
  ) {
    super(`there is no OpenCentral store in ${where}`)
  }
}

/** Opens the configured store; by default makes it if missing and brings its schema up to date. */
export async function openStore(
  config: Pick<Config, 'dataDir' | 'databaseUrl'>,
  options: OpenOptions = { schema: 'migrate', create: true },
): Promise<Store> {
  if (!config.databaseUrl && !options.create) {
    const file = path.resolve(config.dataDir, SQLITE_FILE_NAME)
    if (!existsSync(file)) throw new StoreNotFound(file)
  }
  const store = config.databaseUrl
    ? await openPostgresStore(config.databaseUrl)
    : openSqliteStore(config.dataDir)
  try {
    const state = await schemaState(store)
    if (!state.exists && !options.create) throw new StoreNotFound(`${store.description} (it holds no OpenCentral tables)`)
    if (state.newer.length > 0) throw SchemaMismatch.newer(state.newer)
    // A store made just now has nobody running on it: making it is migrating it.
    if (options.schema === 'check' && state.exists && state.pending.length > 0) {
      throw SchemaMismatch.older(state.pending)
    }
    if (options.schema === 'migrate' || !state.exists) {
      const migrated = await migrateStore(store)
      options.migrated?.(migrated)
    }
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
