/** The store's tables for jobs, as Kysely sees them (see ../schema.ts for the conventions). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobTables {}
