import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'
import { idpSigningKeyRepository } from '../storage/repositories/idp-signing-key.repository.js'
import type { IdpSigningKeyRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import { RETIRED_KEY_GRACE_SECONDS } from './constants.js'

/** RS256: the algorithm Entra signs with, so libraries written for Entra accept our tokens. */
export const SIGNING_ALGORITHM = 'RS256'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const

export interface SigningKey {
  kid: string
  /** The private JWK, with `kid`, `alg` and `use`. */
  privateJwk: JWK
  /** True for the key that signs new tokens; the others only verify. */
  current: boolean
  /** Epoch seconds after which a retired key is no longer published (null while current). */
  verifyUntil: number | null
}

/** The public half of a key, as published in the JWKS. */
export function publicJwkOf(key: SigningKey): JWK {
  const jwk: JWK = { ...key.privateJwk }
  for (const member of PRIVATE_MEMBERS) delete jwk[member]
  return jwk
}

async function generateSigningKey(now: number): Promise<IdpSigningKeyRow> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, {
    extractable: true,
    modulusLength: 2048,
  })
  const jwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(jwk)
  const privateJwk: JWK = { ...jwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' }
  return {
    kid,
    private_jwk: JSON.stringify(privateJwk),
    created_at: now,
    retired_at: null,
    verify_until: null,
  }
}

function toSigningKey(row: IdpSigningKeyRow): SigningKey {
  return {
    kid: row.kid,
    privateJwk: JSON.parse(row.private_jwk) as JWK,
    current: row.retired_at === null,
    verifyUntil: row.verify_until,
  }
}

/** Keys that sign or still verify at `now` (epoch seconds): the current one first. */
export async function usableSigningKeys(store: Store, now: number): Promise<SigningKey[]> {
  const rows = await idpSigningKeyRepository.listUsable(store.db, now)
  const keys = rows.map(toSigningKey)
  // Exactly one key signs: should two have been made at once, the newest wins, the others verify.
  return keys.map((key, index) => (index === 0 ? key : { ...key, current: false }))
}

/**
 * Makes the first signing key on first start, and drops retired keys whose grace period is over.
 * Serialised with other nodes so that two first starts do not make two current keys.
 */
export async function ensureSigningKey(store: Store, now: number): Promise<void> {
  const created = await store.db.transaction().execute(async (trx) => {
    await store.lockApplication(trx)
    await idpSigningKeyRepository.deleteExpired(trx, now)
    const keys = await idpSigningKeyRepository.listUsable(trx, now)
    if (keys.some((key) => key.retired_at === null)) return false
    await idpSigningKeyRepository.insert(trx, await generateSigningKey(now))
    return true
  })
  if (created) await store.changes.publish('idpKeys', 'created')
}

/**
 * Makes a new current key. The previous one keeps verifying until the tokens it signed have
 * expired (`RETIRED_KEY_GRACE_SECONDS`), then it is dropped. Returns the new and retired key ids.
 */
export async function rotateSigningKeys(
  store: Store,
  now: number,
): Promise<{ kid: string; retired: string[]; verifyUntil: number }> {
  const fresh = await generateSigningKey(now)
  const verifyUntil = now + RETIRED_KEY_GRACE_SECONDS
  const retired = await store.db.transaction().execute(async (trx) => {
    await store.lockApplication(trx)
    await idpSigningKeyRepository.deleteExpired(trx, now)
    const previous = (await idpSigningKeyRepository.listUsable(trx, now))
      .filter((key) => key.retired_at === null)
      .map((key) => key.kid)
    await idpSigningKeyRepository.retireCurrent(trx, now, verifyUntil)
    await idpSigningKeyRepository.insert(trx, fresh)
    return previous
  })
  await store.changes.publish('idpKeys', fresh.kid)
  return { kid: fresh.kid, retired, verifyUntil }
}
