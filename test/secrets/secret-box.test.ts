import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { SECRET_KEY_FILE, SecretBox, SecretUnreadableError } from '../../src/secrets/secret-box.js'
import { openStore } from '../../src/storage/open-store.js'
import { createTestDatabase } from '../helpers/dialects.js'

const KEY = 'k'.repeat(40)

describe('SecretBox', () => {
  it('opens what it sealed, in the same place only', () => {
    const box = new SecretBox(KEY)
    const sealed = box.seal('the group key', 'enrollmentGroup:g1:primary')
    assert.ok(!sealed.includes('the group key'))
    assert.equal(box.open(sealed, 'enrollmentGroup:g1:primary'), 'the group key')
    assert.throws(() => box.open(sealed, 'enrollmentGroup:g2:primary'), SecretUnreadableError)
  })

  it('seals the same text differently each time', () => {
    const box = new SecretBox(KEY)
    assert.notEqual(box.seal('x', 'c'), box.seal('x', 'c'))
  })

  it('says which keys differ when sealed under another key, without showing either', () => {
    const sealed = new SecretBox(KEY).seal('x', 'c')
    const other = new SecretBox('o'.repeat(40))
    assert.throws(
      () => other.open(sealed, 'c'),
      (error: Error) => {
        assert.ok(error instanceof SecretUnreadableError)
        assert.match(error.message, /sealed with the key [0-9a-f]{8}, and this server holds the key [0-9a-f]{8}/)
        assert.ok(!error.message.includes(KEY))
        return true
      },
    )
  })

  it('refuses a changed value', () => {
    const box = new SecretBox(KEY)
    const sealed = box.seal('x', 'c')
    // One bit of the ciphertext flipped (a changed base64 character could touch only padding bits).
    const parts = sealed.split('.')
    const body = Buffer.from(parts[3]!, 'base64url')
    body[0]! ^= 1
    const changed = [...parts.slice(0, 3), body.toString('base64url')].join('.')
    assert.notEqual(changed, sealed)
    assert.throws(() => box.open(changed, 'c'), SecretUnreadableError)
    assert.throws(() => box.open('garbage', 'c'), SecretUnreadableError)
  })

  it('on SQLite without a configured key, makes and then reuses an owner-only key file beside the store', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-secret-'))
    const store = await openStore({ dataDir })
    try {
      const first = await SecretBox.forStore({ dataDir }, store)
      const file = path.join(dataDir, SECRET_KEY_FILE)
      assert.equal(statSync(file).mode & 0o777, 0o600)
      assert.ok(readFileSync(file, 'utf8').trim().length >= 40)
      const second = await SecretBox.forStore({ dataDir }, store)
      assert.equal(second.open(first.seal('x', 'c'), 'c'), 'x')
      assert.equal(SecretBox.keptWithData({}, store), false)
      const configured = await SecretBox.forStore({ dataDir, secretKey: KEY }, store)
      assert.equal(configured.keyId, new SecretBox(KEY).keyId)
    } finally {
      await store.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('on PostgreSQL without a configured key, shares one key kept in the database and writes no file', async () => {
    const database = await createTestDatabase()
    const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-secret-'))
    const [a, b] = [
      await openStore({ dataDir, databaseUrl: database.url }),
      await openStore({ dataDir, databaseUrl: database.url }),
    ]
    try {
      const [nodeA, nodeB] = await Promise.all([
        SecretBox.forStore({ dataDir }, a),
        SecretBox.forStore({ dataDir }, b),
      ])
      assert.equal(nodeB.open(nodeA.seal('x', 'c'), 'c'), 'x')
      assert.deepEqual(readdirSync(dataDir), [])
      assert.equal(SecretBox.keptWithData({}, a), true)
      assert.equal(SecretBox.keptWithData({ secretKey: KEY }, a), false)
    } finally {
      await a.close()
      await b.close()
      await database.drop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
