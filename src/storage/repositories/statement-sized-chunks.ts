/**
 * Cuts rows into slices whose lengths are powers of two, at most `largest` (itself a power of
 * two), largest first: 1000 rows become 512 + 256 + 128 + 64 + 32 + 8. A multi-row statement's
 * SQL text depends on its row count; with a few sizes only, the same texts come back batch after
 * batch and the store's prepared statements are reused, where a new count would be parsed and
 * planned again (on SQLite, preparing a large insert costs more than running it).
 */
export function* statementSizedChunks<T>(rows: readonly T[], largest: number): Generator<readonly T[]> {
  let at = 0
  let size = largest
  while (at < rows.length) {
    while (size > rows.length - at) size /= 2
    yield rows.slice(at, at + size)
    at += size
  }
}
