import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Config } from '../config/schema.js'
import type { Store } from '../storage/store.js'

/** The file that holds the generated key when none is configured, beside the SQLite store. */
export const SECRET_KEY_FILE = 'secret.key'

const VERSION = 'v1'
const IV_BYTES = 12

/** A sealed value that cannot be opened: wrong key, or changed since it was sealed. */
export class SecretUnreadableError extends Error {
  constructor(reason: string) {
    super(`A stored secret cannot be read: ${reason}`)
    this.name = 'SecretUnreadableError'
  }
}

/**
 * Protects secrets that must stay readable (enrollment-group keys, from which device keys are
 * derived; storage connection strings) while they rest in the store: AES-256-GCM under a key
 * derived from the configured secret key. Each sealed value names its key's fingerprint, so a node
 * started with another key says so instead of answering garbage, and carries the place it belongs
 * to as associated data, so a value copied to another row does not open there.
 */
export class SecretBox {
  private readonly key: Buffer
  /** Eight hex characters naming the key, never the key itself. */
  readonly keyId: string

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'opencentral', 'secret-box v1', 32))
    this.keyId = createHash('sha256').update(this.key).digest('hex').slice(0, 8)
  }

  /**
   * The configured key (`--secret-key`, `OPENCENTRAL_SECRET_KEY`); else, for the embedded SQLite
   * store, the one kept in `<data>/secret.key` (made from the CSPRNG on first use, owner-only), so
   * a copy of the database file alone does not open its secrets; else, for PostgreSQL, one made
   * once and kept in the database, so that every node of a cluster shares it without setup (the
   * secrets are then as safe as the database: `--secret-key` is the protection, and start says so).
   */
  static async forStore(config: Pick<Config, 'secretKey' | 'dataDir'>, store: Store): Promise<SecretBox> {
    if (config.secretKey !== undefined) return new SecretBox(config.secretKey)
    if (store.dialect === 'sqlite') return new SecretBox(keyFile(config.dataDir))
    return new SecretBox(await storedKey(store))
  }

  /** Whether the key lives beside the secrets it protects (PostgreSQL without `--secret-key`). */
  static keptWithData(config: Pick<Config, 'secretKey'>, store: Store): boolean {
    return config.secretKey === undefined && store.dialect === 'postgres'
  }

  /** `v1.<keyId>.<iv>.<ciphertext+tag>`, all base64url; `context` must be given again to open it. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    cipher.setAAD(Buffer.from(context, 'utf8'))
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
    return [VERSION, this.keyId, iv.toString('base64url'), sealed.toString('base64url')].join('.')
  }

  open(sealed: string, context: string): string {
    const [version, keyId, iv, body] = sealed.split('.')
    if (version !== VERSION || iv === undefined || body === undefined) {
      throw new SecretUnreadableError('it is not in a known format.')
    }
    if (keyId !== this.keyId) {
      throw new SecretUnreadableError(
        `it was sealed with the key ${keyId}, and this server holds the key ${this.keyId} (every node must be given the same --secret-key).`,
      )
    }
    const bytes = Buffer.from(body, 'base64url')
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'))
    decipher.setAAD(Buffer.from(context, 'utf8'))
    decipher.setAuthTag(bytes.subarray(bytes.length - 16))
    try {
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8')
    } catch {
      throw new SecretUnreadableError('it was changed, or belongs to another place.')
    }
  }
}

function keyFile(dataDir: string): string {
  const file = path.join(dataDir, SECRET_KEY_FILE)
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true })
    try {
      writeFileSync(file, `${newKey()}\n`, { mode: 0o600, flag: 'wx' })
      chmodSync(file, 0o600)
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  return readFileSync(file, 'utf8').trim()
}

/** The key kept in the database: the first node to need one makes it, every other reads it. */
async function storedKey(store: Store): Promise<string> {
  const read = () =>
    store.db.selectFrom('stored_keys').select('value').where('name', '=', 'secretBox').executeTakeFirst()
  // Read first: every start and CLI command asks, and only the first ever needs to write.
  const existing = await read()
  if (existing) return existing.value
  await store.db
    .insertInto('stored_keys')
    .values({ name: 'secretBox', value: newKey() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  return ((await read()) as { value: string }).value
}

const newKey = (): string => randomBytes(32).toString('base64')
