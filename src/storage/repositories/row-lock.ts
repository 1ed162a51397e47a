import { PostgresAdapter, type SelectQueryBuilder } from 'kysely'
import type { Executor } from './executor.js'

/**
 * The select, locking the rows it reads until the transaction ends (`FOR UPDATE`), so that
 * concurrent writers of one row queue behind each other instead of one overwriting what the other
 * read. PostgreSQL only: SQLite has no FOR UPDATE, and its transactions run one at a time anyway.
 */
export function lockingRows<DB, TB extends keyof DB, O>(
  db: Executor,
  query: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return db.getExecutor().adapter instanceof PostgresAdapter ? query.forUpdate() : query
}
