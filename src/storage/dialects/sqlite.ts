import { mkdirSync } from 'node:fs'
import path from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, type CompiledQuery } from 'kysely'
import { ImmediateTransactionDialect } from './sqlite-immediate.js'
import { ChangeListeners, type ChangeFeed, type ChangeTopic } from '../change-feed.js'
import type { Database } from '../schema.js'
import type { Store } from '../store.js'
import { WalCheckpoints } from './sqlite-checkpoints.js'
import { withStatementCache } from './statement-cache.js'

export const SQLITE_FILE_NAME = 'opencentral.db'

/**
 * Other processes (the CLI, a second server) may write the same file. SQLite's `data_version`
 * changes whenever another connection commits, so one cheap read tells whether caches may be stale.
 */
class SqliteChangeFeed implements ChangeFeed {
  private readonly listeners = new ChangeListeners()
  private readonly readVersion: () => number
  private version: number
  private checkedAt = 0

  constructor(handle: SqliteDatabase.Database) {
    const statement = handle.prepare('PRAGMA data_version').pluck()
    this.readVersion = () => statement.get() as number
    this.version = this.readVersion()
  }

  /**
   * Reads `data_version` at most once a millisecond: a change committed by another process is
   * seen within a millisecond; changes made by this process are announced at once by publish().
   */
  sync(): boolean {
    const now = performance.now()
    if (now - this.checkedAt < 1) return true
    this.checkedAt = now
    const version = this.readVersion()
    if (version !== this.version) {
      this.version = version
      this.listeners.emit(null, null)
    }
    return true
  }

  async publish(topic: ChangeTopic, id: string): Promise<void> {
    this.listeners.emit(topic, id)
  }

  subscribe(listener: Parameters<ChangeFeed['subscribe']>[0]): void {
    this.listeners.add(listener)
  }

  async close(): Promise<void> {}
}

/** Opens (creating if needed) the SQLite store in `dataDir`. */
export function openSqliteStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true })
  const file = path.join(dataDir, SQLITE_FILE_NAME)
  const handle = new SqliteDatabase(file)
  handle.pragma('journal_mode = WAL')
  handle.pragma('busy_timeout = 5000')
  handle.pragma('synchronous = NORMAL')
  // Checkpoints run on a thread of their own, never inside a commit on the event loop.
  handle.pragma('wal_autocheckpoint = 0')
  // Once checkpointed, the WAL starts over; past 4 MB its file is cut back then.
  handle.pragma('journal_size_limit = 4194304')
  const checkpoints = new WalCheckpoints(file)
  const db = new Kysely<Database>({
    dialect: new ImmediateTransactionDialect({ database: withStatementCache(handle) }),
  })
  // WAL lets a second connection read the last committed state while the first one writes.
  const reader = new SqliteDatabase(path.join(dataDir, SQLITE_FILE_NAME), { readonly: true })
  reader.pragma('busy_timeout = 5000')
  const readStatements = new Map<string, SqliteDatabase.Statement>()
  return {
    dialect: 'sqlite',
    db,
    changes: new SqliteChangeFeed(handle),
    description: path.resolve(dataDir, SQLITE_FILE_NAME),
    // SQLite runs one writer at a time, and Kysely uses one connection: transactions are serial.
    async lockApplication() {},
    readRow<Row>(query: CompiledQuery<Row>): Row | undefined {
      let statement = readStatements.get(query.sql)
      if (!statement) {
        statement = reader.prepare(query.sql)
        readStatements.set(query.sql, statement)
      }
      return statement.get(...(query.parameters as unknown[])) as Row | undefined
    },
    async close() {
      await checkpoints.stop()
      await db.destroy()
      reader.close()
    },
  }
}
