import { isUniqueViolation } from '../storage/is-unique-violation.js'

/**
 * Runs a write transaction, and once more when it lost a create to a concurrent create of the same
 * id (a unique violation): the second attempt finds that row committed, locks it and updates it,
 * so a writer without an etag is not refused for a race it did not ask to lose. A second unique
 * violation reaches the caller, which answers it 409.
 */
export async function retryLostCreate<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
    return write()
  }
}
