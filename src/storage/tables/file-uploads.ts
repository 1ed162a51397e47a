import type { Selectable } from 'kysely'

/** The store's tables for file uploads, as Kysely sees them (see ../schema.ts for the conventions). */
export interface FileUploadTables {
  file_uploads: FileUploadTable
}

export interface FileUploadTable {
  /** always 'default': the settings are a singleton */
  id: string
  account: string | null
  /** the Azure Storage connection string, sealed (SecretBox, context `fileUploads:default:connectionString`) */
  connection_string: string
  container: string
  /** ISO 8601 duration, as sent */
  sas_ttl: string
  /** `pending`, `succeeded`, … (IoT Central's FileUploadState) */
  state: string
  etag: string
  created_at: number
  updated_at: number
}

export type FileUploadRow = Selectable<FileUploadTable>
