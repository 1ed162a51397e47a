const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
])

/** SQLite's extended codes refine these (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, …). */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR)/

/** PostgreSQL SQLSTATE classes 08 (connection), 53 (resources) and 57 (operator intervention). */
const UNAVAILABLE_SQLSTATE = /^(08|53|57)/

/** What node-postgres and Kysely say when the connection went away or was never had. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|is not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end|driver has already been destroyed|database connection is not open/i

/** True when an error means the store cannot be reached or used right now (→ 503, never 2xx). */
export function isStoreUnavailable(error: unknown): boolean {
  // A failure wrapped on its way up (e.g. a failed rollback's cause) counts as its cause.
  for (let depth = 0; error instanceof Error && depth < 5; depth++) {
    if (isUnavailableItself(error)) return true
    error = error.cause
  }
  return false
}

function isUnavailableItself(error: Error): boolean {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLITE_UNAVAILABLE.test(code)) return true
    if (code.length === 5 && UNAVAILABLE_SQLSTATE.test(code)) return true
  }
  // PostgreSQL ends the session on FATAL (e.g. 55000 "database is not currently accepting connections").
  if (/^(FATAL|PANIC)$/.test(String((error as { severity?: unknown }).severity))) return true
  return UNAVAILABLE_MESSAGE.test(error.message)
}

/** SQLite's write lock was held by another connection past the busy timeout. */
export function isStoreBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)
}
