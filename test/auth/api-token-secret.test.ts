import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  generateSecret,
  hashSecret,
  isWellFormedSecret,
  secretMatches,
} from '../../src/auth/api-token-secret.js'

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** The secret with the character at `index` replaced by a different base64url character. */
function changeAt(secret: string, index: number): string {
  const current = secret[index]!
  const replacement = BASE64URL[(BASE64URL.indexOf(current) + 1) % BASE64URL.length]!
  return secret.slice(0, index) + replacement + secret.slice(index + 1)
}

describe('generateSecret', () => {
  it('makes a prefixed, URL-safe secret of 256 random bits and a checksum', () => {
    const secret = generateSecret()
    // ocsk_ + 43 characters of base64url (32 bytes) + a 6-character checksum.
    assert.match(secret, /^ocsk_[A-Za-z0-9_-]{43}[A-Za-z0-9_-]{6}$/)
    assert.equal(secret.length, 54)
    assert.equal(encodeURIComponent(secret), secret)
    const random = Buffer.from(secret.slice(5, 48), 'base64url')
    assert.equal(random.length, 32)
  })

  it('makes secrets that pass isWellFormedSecret', () => {
    for (let i = 0; i < 20; i++) {
      const secret = generateSecret()
      assert.ok(isWellFormedSecret(secret), secret)
    }
  })

  it('never repeats itself over 100 secrets, nor their random parts', () => {
    const secrets = Array.from({ length: 100 }, generateSecret)
    assert.equal(new Set(secrets).size, 100)
    assert.equal(new Set(secrets.map((s) => s.slice(5, 48))).size, 100)
  })
})

describe('isWellFormedSecret', () => {
  const secret = generateSecret()

  it('refuses the secret with any one character changed', () => {
    for (let index = 0; index < secret.length; index++) {
      const changed = changeAt(secret, index)
      assert.notEqual(changed, secret)
      assert.equal(isWellFormedSecret(changed), false, `changed at ${index}: ${changed}`)
    }
  })

  it('refuses a wrong length, a wrong prefix and garbage', () => {
    for (const value of [
      '',
      'ocsk_',
      secret.slice(0, -1),
      `${secret}A`,
      `x${secret.slice(1)}`,
      secret.replace('ocsk_', 'OCSK_'),
      'a'.repeat(secret.length),
      ' '.repeat(secret.length),
    ]) {
      assert.equal(isWellFormedSecret(value), false, JSON.stringify(value))
    }
  })
})

describe('hashSecret and secretMatches', () => {
  const secret = generateSecret()
  const stored = hashSecret(secret)

  it('stores a 32-byte SHA-256 digest, never the secret', () => {
    assert.ok(Buffer.isBuffer(stored))
    assert.equal(stored.length, 32)
    assert.deepEqual(stored, createHash('sha256').update(secret).digest())
    assert.ok(!stored.toString('latin1').includes(secret))
    assert.deepEqual(hashSecret(secret), stored)
    assert.notDeepEqual(hashSecret(generateSecret()), stored)
  })

  it('matches the secret it was made from', () => {
    assert.equal(secretMatches(secret, stored), true)
  })

  it('does not match another secret, a changed one or a truncated one', () => {
    assert.equal(secretMatches(generateSecret(), stored), false)
    assert.equal(secretMatches(changeAt(secret, 10), stored), false)
    assert.equal(secretMatches(secret.slice(0, -1), stored), false)
    assert.equal(secretMatches('', stored), false)
  })

  it('does not match a stored hash of another length (and does not throw)', () => {
    assert.equal(secretMatches(secret, stored.subarray(0, 16)), false)
    assert.equal(secretMatches(secret, Buffer.alloc(0)), false)
    assert.equal(secretMatches(secret, Buffer.concat([stored, Buffer.from([0])])), false)
  })
})
