import type { Principal } from '../auth/principal.js'
import type { Permission } from '../authz/permissions.js'
import type { Clock } from '../clock.js'
import { notFound, unprocessable } from '../errors/app-error.js'
import type { SecretBox } from '../secrets/secret-box.js'
import { updateWhileEtag } from '../storage/repositories/etag-update.js'
import type { Executor } from '../storage/repositories/executor.js'
import { lockingRows } from '../storage/repositories/row-lock.js'
import type { Store } from '../storage/store.js'
import type { FileUploadRow } from '../storage/tables/file-uploads.js'
import { checkEtag, expectedEtag, newEtag, insertOrUpdateRead } from './etag.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { retryLostCreate } from './retry-lost-create.js'
import { requireAt } from './scope-checks.js'
import {
  MASK,
  SECRET_KEYS,
  containerNameProblem,
  durationSeconds,
  maskConnectionString,
  parseConnectionString,
  splitConnectionString,
  type StorageConnection,
} from './storage-connection-string.js'

/** IoT Central's `FileUpload`, the connection string's secrets masked. */
export interface FileUploadView {
  account?: string
  connectionString: string
  container: string
  sasTtl: string
  state: 'pending' | 'updating' | 'deleting' | 'succeeded' | 'failed'
  etag: string
}

/** A PUT body or merge patch. `state` is read-only and ignored. */
export interface FileUploadInput {
  account?: string | null
  connectionString?: string | null
  container?: string | null
  sasTtl?: string | null
  state?: unknown
  etag?: unknown
}

/** Where devices' files go, for server code that hands out upload URIs; never sent to a client as is. */
export interface UploadTarget {
  /** The display name of the account (`account`), else the storage account name. */
  account: string | null
  /** The whole connection string, unmasked. */
  connectionString: string
  accountName?: string
  accountKey?: string
  sharedAccessSignature?: string
  /** `https://<account>.blob.core.windows.net` or the configured BlobEndpoint, without trailing slash. */
  blobEndpoint: string
  container: string
  /** How long a device's upload SAS URI stays valid. */
  sasTtlSeconds: number
}

export const DEFAULT_SAS_TTL = 'PT1H'
const MIN_TTL_SECONDS = 60
const MAX_TTL_SECONDS = 30 * 24 * 3600
const ROW_ID = 'default'
const CONTEXT = `fileUploads:${ROW_ID}:connectionString`

/**
 * The application's file upload storage account: a singleton, application-wide (organization
 * roles never reach it). The connection string is stored sealed and answered with its key or
 * signature masked. Settings are validated and in effect when the write commits, so the write
 * answers `pending` (as IoT Central does while it applies them) and every later read `succeeded`.
 */
export class FileUploadService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
  ) {}

  async get(caller: Principal | null): Promise<FileUploadView> {
    await this.require(caller, 'fileUpload.read')
    const row = await this.row(this.store.db)
    if (!row) throw notFound('The file upload configuration')
    return this.toView(row)
  }

  /** Sets the configuration (creating or replacing it); members left out take their defaults. */
  async put(caller: Principal | null, input: FileUploadInput, ifMatch?: string): Promise<FileUploadView> {
    await this.require(caller, 'fileUpload.manage')
    return this.write(input, ifMatch, (current) => {
      if (typeof input.connectionString !== 'string') throw unprocessable('connectionString: is required.')
      if (typeof input.container !== 'string') throw unprocessable('container: is required.')
      return {
        account: input.account ?? null,
        connectionString: input.connectionString,
        container: input.container,
        sasTtl: input.sasTtl ?? DEFAULT_SAS_TTL,
        current,
      }
    })
  }

  /** Applies a JSON merge patch to the configuration; `null` resets `account` and `sasTtl`. */
  async patch(caller: Principal | null, input: FileUploadInput, ifMatch?: string): Promise<FileUploadView> {
    await this.require(caller, 'fileUpload.manage')
    return this.write(input, ifMatch, (current) => {
      if (!current) throw notFound('The file upload configuration')
      for (const member of ['connectionString', 'container'] as const) {
        if (input[member] === null) throw unprocessable(`${member}: is required and cannot be removed.`)
      }
      return {
        account: input.account === undefined ? current.account : input.account,
        connectionString: input.connectionString ?? null,
        container: input.container ?? current.container,
        sasTtl: input.sasTtl === undefined ? current.sas_ttl : (input.sasTtl ?? DEFAULT_SAS_TTL),
        current,
      }
    })
  }

  async delete(caller: Principal | null, ifMatch?: string): Promise<void> {
    await this.require(caller, 'fileUpload.manage')
    await this.store.db.transaction().execute(async (trx) => {
      const current = await this.row(trx)
      if (!current) throw notFound('The file upload configuration')
      checkEtag(expectedEtag(undefined, ifMatch), current.etag, 'The file upload configuration')
      await trx.deleteFrom('file_uploads').where('id', '=', ROW_ID).execute()
    })
  }

  /**
   * The configured storage, unsealed, for server code that gives devices upload URIs (IoT Hub's
   * file upload notifications); null when none is configured. Never answer it to a client.
   */
  async uploadTarget(): Promise<UploadTarget | null> {
    const row = await this.row(this.store.db)
    if (!row) return null
    const connectionString = this.secrets.open(row.connection_string, CONTEXT)
    const parsed = parseConnectionString(connectionString)
    return {
      account: row.account ?? parsed.accountName ?? null,
      connectionString,
      ...(parsed.accountName !== undefined ? { accountName: parsed.accountName } : {}),
      ...(parsed.accountKey !== undefined ? { accountKey: parsed.accountKey } : {}),
      ...(parsed.sharedAccessSignature !== undefined ? { sharedAccessSignature: parsed.sharedAccessSignature } : {}),
      blobEndpoint: parsed.blobEndpoint,
      container: row.container,
      sasTtlSeconds: durationSeconds(row.sas_ttl) ?? 3600,
    }
  }

  private async write(
    input: FileUploadInput,
    ifMatch: string | undefined,
    next: (current: FileUploadRow | undefined) => {
      account: string | null
      /** null: keep the stored one */
      connectionString: string | null
      container: string
      sasTtl: string
      current: FileUploadRow | undefined
    },
  ): Promise<FileUploadView> {
    const now = Math.floor(this.clock() / 1000)
    const row = await retryLostCreate(this.store.db, async (trx) => {
      const current = await this.row(trx, { lock: true })
      const expected = expectedEtag(input.etag, ifMatch)
      // A body etag with nothing configured yet is tolerated (clients resend what they read); If-Match is not.
      if (current || ifMatch) checkEtag(expected, current?.etag ?? null, 'The file upload configuration')
      const values = next(current)
      const stored = current ? this.secrets.open(current.connection_string, CONTEXT) : null
      const connectionString =
        values.connectionString === null ? (stored as string) : unmask(values.connectionString, stored)
      parseConnectionString(connectionString)
      const problem = containerNameProblem(values.container)
      if (problem) throw unprocessable(`container: ${problem}`)
      const seconds = durationSeconds(values.sasTtl)
      if (seconds === null) throw unprocessable('sasTtl: is not an ISO 8601 duration such as PT1H.')
      if (seconds < MIN_TTL_SECONDS || seconds > MAX_TTL_SECONDS) {
        throw unprocessable('sasTtl: must be between PT1M and P30D.')
      }
      const row: FileUploadRow = {
        id: ROW_ID,
        account: values.account,
        connection_string: this.secrets.seal(connectionString, CONTEXT),
        container: values.container,
        sas_ttl: values.sasTtl,
        state: 'succeeded',
        etag: newEtag(),
        created_at: current?.created_at ?? now,
        updated_at: now,
      }
      await insertOrUpdateRead(
        current?.etag,
        {
          insert: () => trx.insertInto('file_uploads').values(row).execute(),
          update: (etag) => updateWhileEtag(trx, 'file_uploads', row, etag),
        },
        'The file upload configuration',
      )
      return row
    }, 'The file upload configuration was created concurrently; retry.')
    return { ...this.toView(row), state: 'pending' }
  }

  /** The configuration's row; `lock`: it is about to be written in this transaction (see lockingRows). */
  private async row(db: Executor, { lock = false } = {}): Promise<FileUploadRow | undefined> {
    const query = db.selectFrom('file_uploads').selectAll().where('id', '=', ROW_ID)
    return (lock ? lockingRows(db, query) : query).executeTakeFirst()
  }

  private async require(caller: Principal | null, permission: Permission): Promise<void> {
    requireAt(await this.organizations.reachOf(caller), permission, null)
  }

  private toView(row: FileUploadRow): FileUploadView {
    const connection: StorageConnection = parseConnectionString(this.secrets.open(row.connection_string, CONTEXT))
    const account = row.account ?? connection.accountName
    return {
      ...(account !== undefined ? { account } : {}),
      connectionString: maskConnectionString(connection.entries),
      container: row.container,
      sasTtl: row.sas_ttl,
      state: row.state as FileUploadView['state'],
      etag: row.etag,
    }
  }
}

/**
 * A connection string sent back as it was read (`AccountKey=*****`) keeps the stored secret, when
 * one of that kind is stored for the same account; otherwise the mask cannot stand for anything.
 */
function unmask(sent: string, stored: string | null): string {
  const entries = splitConnectionString(sent)
  const masked = entries.filter(([key, value]) => value === MASK && SECRET_KEYS.has(key))
  if (masked.length === 0) return sent
  const previous = stored === null ? null : new Map(splitConnectionString(stored))
  const sameAccount =
    previous !== null && previous.get('AccountName') === new Map(entries).get('AccountName')
  return entries
    .map(([key, value]) => {
      if (value !== MASK || !SECRET_KEYS.has(key)) return `${key}=${value}`
      const kept = sameAccount ? previous?.get(key) : undefined
      if (kept === undefined) {
        throw unprocessable(
          `connectionString: the ${key} is masked (${MASK}) and there is no stored one for this account to keep; send it in full.`,
        )
      }
      return `${key}=${kept}`
    })
    .join(';')
}
