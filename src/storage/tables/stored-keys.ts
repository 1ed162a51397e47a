/** Keys the server makes for itself and keeps in the store (see ../schema.ts for the conventions). */
export interface StoredKeyTables {
  stored_keys: StoredKeyTable
}

export interface StoredKeyTable {
  /** `secretBox`: the key stored secrets are sealed with, on PostgreSQL without --secret-key */
  name: string
  value: string
}
