/** A page request: resume after `after` (exclusive), at most `limit` items. */
export interface PageRequest {
  after: string | null
  limit: number
}

export interface Page<T> {
  items: T[]
  /** The key to resume after, when there is more. */
  next: string | null
}

/**
 * Reads one more row than asked to learn whether another page exists, so the last page never
 * carries a `nextLink` to an empty one.
 */
export async function readPage<Row extends { id: string }, T>(
  request: PageRequest,
  fetch: (after: string | null, limit: number) => Promise<Row[]>,
  map: (rows: Row[]) => T[] | Promise<T[]>,
): Promise<Page<T>> {
  const rows = await fetch(request.after, request.limit + 1)
  const more = rows.length > request.limit
  const pageRows = more ? rows.slice(0, request.limit) : rows
  return {
    items: await map(pageRows),
    next: more ? (pageRows[pageRows.length - 1] as Row).id : null,
  }
}
