const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
])

/** PostgreSQL SQLSTATE classes 08 (connection), 53 (resources) and 57 (operator intervention). */
const UNAVAILABLE_SQLSTATE = /^(08|53|57)/

/** True when an error means the store cannot be reached or used right now (→ 503, never 2xx). */
export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || code.startsWith('SQLITE_IOERR')) return true
    if (code.length === 5 && UNAVAILABLE_SQLSTATE.test(code)) return true
  }
  // PostgreSQL ends the session on FATAL (e.g. 55000 "database is not currently accepting connections").
  if (/^(FATAL|PANIC)$/.test(String((error as { severity?: unknown }).severity))) return true
  if (/Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|driver has already been destroyed|database connection is not open/i.test(error.message)) {
    return true
  }
  return false
}
