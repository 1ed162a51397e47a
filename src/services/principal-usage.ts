/**
 * When a token or user was made and last used (extension members of their views). `lastUsedAt`
 * is exact to the minute: usage is recorded at most once a minute per principal.
 */
export interface PrincipalUsage {
  createdAt: string
  lastUsedAt?: string
  /** The client address of that last use. */
  lastUsedAddress?: string
}

export function usageOf(row: {
  created_at: number
  last_used_at_ms: number | null
  last_used_address: string | null
}): PrincipalUsage {
  return {
    createdAt: new Date(row.created_at * 1000).toISOString(),
    ...(row.last_used_at_ms === null ? {} : { lastUsedAt: new Date(row.last_used_at_ms).toISOString() }),
    ...(row.last_used_address === null ? {} : { lastUsedAddress: row.last_used_address }),
  }
}
