/**
 * True when a write lost to a primary-key or unique constraint (a concurrent create of the same
 * id, email or directory object), on either engine: services answer it with 409.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return (
    code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
  )
}
