import type { Kysely, Updateable } from 'kysely'
import type { Database } from '../schema.js'
import type { Executor } from './executor.js'

/** What every row written under an etag has. */
interface Versioned {
  id: string
  etag: string
  created_at: number
}

/** The tables whose rows are versioned by an etag. */
type VersionedTable = { [T in keyof Database]: Database[T] extends Versioned ? T : never }[keyof Database]

/**
 * Writes `row` over the stored one only if its etag is still `expectedEtag` (its id and creation
 * time stay as they are); false when another writer moved it on. One statement for every table
 * written this way, so the condition cannot differ between them.
 */
export async function updateWhileEtag<T extends VersionedTable>(
  db: Executor,
  table: T,
  row: Database[T] & Versioned,
  expectedEtag: string,
): Promise<boolean> {
  const { id, created_at, ...values } = row
  // Any versioned table seen through the columns they all have (the row is typed by its own table).
  const versioned = db as unknown as Kysely<Record<string, Versioned>>
  const result = await versioned
    .updateTable(table as string)
    .set(values as Updateable<Versioned>)
    .where('id', '=', id)
    .where('etag', '=', expectedEtag)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
