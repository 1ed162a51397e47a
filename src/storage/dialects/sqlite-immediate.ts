import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely'

/**
 * Begins every transaction IMMEDIATE: it takes the write lock at its start, waiting up to the busy
 * timeout while another process (a CLI command beside a running server) holds it. A deferred
 * transaction reads first and asks for the lock only at its first write; if another process has
 * committed meanwhile, SQLite cannot let it write on a snapshot that is no longer the latest and
 * fails at once with "database is locked", whatever the busy timeout.
 */
class ImmediateTransactionDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

/** Kysely's SQLite dialect, its transactions begun IMMEDIATE. */
export class ImmediateTransactionDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig

  constructor(config: SqliteDialectConfig) {
    super(config)
    this.#config = config
  }

  override createDriver(): Driver {
    return new ImmediateTransactionDriver(this.#config)
  }
}
