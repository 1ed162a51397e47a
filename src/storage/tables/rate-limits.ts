/** The store's table of rate-limit counters (see ../schema.ts for the conventions). */
export interface RateLimitTables {
  rate_limit_counters: RateLimitCounterTable
}

/**
 * Requests one caller made in the current window, shared by every node of a PostgreSQL store
 * (without Redis). Times are the database's clock, in epoch milliseconds, so nodes' clocks do not
 * have to agree.
 */
export interface RateLimitCounterTable {
  /** the caller's key: `token:<id>`, `user:<tenant>/<object id>` or `address:<ip>` */
  key: string
  hits: number
  /** epoch milliseconds when the window ends and the count starts again */
  reset_at: number
}
