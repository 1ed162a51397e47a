import type { Kysely, Transaction } from 'kysely'
import { conflict } from '../errors/app-error.js'
import { isUniqueViolation } from '../storage/is-unique-violation.js'
import type { Database } from '../storage/schema.js'

/**
 * Runs a write in a transaction, and once more when it lost a create to a concurrent create of the
 * same id (a unique violation): the second attempt finds that row committed, locks it and updates
 * it, so a writer without an etag is not refused for a race it did not ask to lose. A second unique
 * violation is answered 409 with `conflictMessage`.
 */
export async function retryLostCreate<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T>,
  conflictMessage: string,
): Promise<T> {
  const write = () => db.transaction().execute(work)
  try {
    return await write()
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
    return write().catch((again: unknown) => {
      throw isUniqueViolation(again) ? conflict(conflictMessage) : again
    })
  }
}
