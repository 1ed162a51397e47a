/** The store's tables for provisioning, as Kysely sees them (see ../schema.ts for the conventions). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ProvisioningTables {}
