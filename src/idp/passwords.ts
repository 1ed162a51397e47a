import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/**
 * Passwords are hashed with scrypt (memory-hard), a random 16-byte salt, and the cost parameters
 * stored with the hash, so that they can be raised later without breaking old hashes.
 * N = 2^15, r = 8, p = 1 takes 32 MiB and tens of milliseconds per attempt.
 */
const COST = { N: 2 ** 15, r: 8, p: 1 }
const KEY_LENGTH = 32
const MAX_MEMORY = 128 * 1024 * 1024

/** The shortest password accepted; generated ones are far longer. */
export const MIN_PASSWORD_LENGTH = 8

function derive(
  password: string,
  salt: Buffer,
  cost: typeof COST,
  length: number,
): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: MAX_MEMORY }
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )
}

/** `scrypt$N$r$p$<salt>$<hash>`, base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await derive(password, salt, COST, KEY_LENGTH)
  return [
    'scrypt',
    COST.N,
    COST.r,
    COST.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$')
}

/** A hash of a password nobody knows, checked when the account does not exist (same cost). */
let decoy: Promise<string> | null = null

/**
 * True when `password` matches `stored`. With `stored` undefined (no such account) the same work is
 * done against a decoy, so the answer time does not tell whether an email has an account.
 */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
): Promise<boolean> {
  const target = stored ?? (await (decoy ??= hashPassword(randomBytes(16).toString('base64url'))))
  const parts = target.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string]
  const expected = Buffer.from(hash, 'base64url')
  const actual = await derive(
    password,
    Buffer.from(salt, 'base64url'),
    { N: Number(n), r: Number(r), p: Number(p) },
    expected.length,
  )
  return stored !== undefined && timingSafeEqual(actual, expected)
}

/** A password for someone who did not choose one: 128 bits, readable. */
export function generatePassword(): string {
  return randomBytes(16).toString('base64url')
}
