import { randomUUID } from 'node:crypto'
import type { Clock } from '../clock.js'
import { conflict, notFound, unprocessable } from '../errors/app-error.js'
import { idpAccountRepository } from '../storage/repositories/idp-account.repository.js'
import { idpArtifactRepository } from '../storage/repositories/idp-artifact.repository.js'
import type { IdpAccountRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js'

/** A person's account as listed: never the password hash. */
export interface Account {
  objectId: string
  email: string
  displayName: string | null
  createdAt: string
}

const EMAIL = /^[^\s@]+@[^\s@]+$/

function toAccount(row: IdpAccountRow): Account {
  return {
    objectId: row.object_id,
    email: row.email,
    displayName: row.display_name,
    createdAt: new Date(row.created_at * 1000).toISOString(),
  }
}

function checkEmail(email: string): string {
  const trimmed = email.trim()
  if (trimmed.length > 254 || !EMAIL.test(trimmed))
    throw unprocessable(`'${trimmed}' is not an email address.`)
  return trimmed
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw unprocessable(`A password has at least ${MIN_PASSWORD_LENGTH} characters.`)
  }
  if (password.length > 1024) throw unprocessable('A password has at most 1024 characters.')
}

/**
 * People who sign in to the embedded issuer with an email and a password. The object id is the
 * `oid` (and `sub`) of their tokens and never changes; the email is for signing in and display.
 */
export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  private now(): number {
    return Math.floor(this.clock() / 1000)
  }

  async add(email: string, password: string, displayName?: string): Promise<Account> {
    const address = checkEmail(email)
    checkPassword(password)
    const name = displayName?.trim() || null
    if (name !== null && (name.length > 256 || /\p{Cc}/u.test(name))) {
      throw unprocessable('A name has at most 256 characters, none of them control characters.')
    }
    const now = this.now()
    const row: IdpAccountRow = {
      object_id: randomUUID(),
      email: address,
      email_key: address.toLowerCase(),
      display_name: name,
      password_hash: await hashPassword(password),
      created_at: now,
      updated_at: now,
    }
    await this.store.db.transaction().execute(async (trx) => {
      if (await idpAccountRepository.findByEmailKey(trx, row.email_key)) {
        throw conflict(`An account for '${address}' already exists.`)
      }
      await idpAccountRepository.insert(trx, row)
    })
    return toAccount(row)
  }

  async list(): Promise<Account[]> {
    return (await idpAccountRepository.list(this.store.db)).map(toAccount)
  }

  async get(objectId: string): Promise<Account | undefined> {
    const row = await idpAccountRepository.get(this.store.db, objectId)
    return row && toAccount(row)
  }

  /** The account when the password is right, else null (the same work either way). */
  async authenticate(email: string, password: string): Promise<Account | null> {
    const row = await idpAccountRepository.findByEmailKey(this.store.db, email.trim().toLowerCase())
    const matches = await verifyPassword(password, row?.password_hash)
    return matches && row ? toAccount(row) : null
  }

  /** Sets a new password and ends the person's sessions and refresh tokens. */
  async setPassword(email: string, password: string): Promise<Account> {
    checkPassword(password)
    const row = await this.require(email)
    const hash = await hashPassword(password)
    await this.store.db.transaction().execute(async (trx) => {
      await idpAccountRepository.setPasswordHash(trx, row.object_id, hash, this.now())
      await idpArtifactRepository.deleteByAccount(trx, row.object_id)
    })
    return toAccount(row)
  }

  /** Deletes the account with its sessions and refresh tokens; issued access tokens expire on their own. */
  async delete(email: string): Promise<Account> {
    const row = await this.require(email)
    await this.store.db.transaction().execute(async (trx) => {
      await idpAccountRepository.delete(trx, row.object_id)
      await idpArtifactRepository.deleteByAccount(trx, row.object_id)
    })
    return toAccount(row)
  }

  private async require(email: string): Promise<IdpAccountRow> {
    const row = await idpAccountRepository.findByEmailKey(this.store.db, email.trim().toLowerCase())
    if (!row) throw notFound(`The account '${email.trim()}'`)
    return row
  }
}
