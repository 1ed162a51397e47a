import type { CompiledQuery, Kysely, Transaction } from 'kysely'
import type { ChangeFeed } from './change-feed.js'
import type { Database } from './schema.js'

export type Dialect = 'sqlite' | 'postgres'

/** An open store: the Kysely handle plus what differs between engines. */
export interface Store {
  readonly dialect: Dialect
  readonly db: Kysely<Database>
  readonly changes: ChangeFeed
  /** Where the data lives, without credentials (for logs). */
  readonly description: string
  /**
   * Serialises transactions that count principals before changing them (the last-administrator
   * rule), so two concurrent removals cannot both pass the check; and nodes starting together on
   * an empty store, so that they agree on one application id.
   */
  lockApplication(trx: Transaction<Database>): Promise<void>
  /**
   * Runs a compiled read of one row (the first) outside any transaction, seeing only committed
   * data, by the shortest path the engine allows (on SQLite, a read-only connection of its own,
   * without Kysely's connection queue, synchronously, and stepping no further than that row).
   */
  readRow<Row>(query: CompiledQuery<Row>): Row | undefined | Promise<Row | undefined>
  /** The connection pool's counts, for metrics; absent on engines without a pool. */
  poolStats?(): { total: number; idle: number; waiting: number }
  close(): Promise<void>
}
