import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import SqliteDatabase from 'better-sqlite3'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

describe('a write while another process holds SQLite\'s write lock (sqlite)', { skip: !DIALECTS.includes('sqlite') }, () => {
  let server: TestServer
  let other: SqliteDatabase.Database

  before(async () => {
    server = await startServer('sqlite')
    // A second process on the same file (the CLI, say) in the middle of a long write.
    other = new SqliteDatabase(server.app.store.description)
  })
  after(async () => {
    if (other?.inTransaction) other.exec('ROLLBACK')
    other?.close()
    await server?.close()
  })

  it('answers 503 with Retry-After, never 500, writing nothing, and writes again once the lock is free', async () => {
    other.exec('BEGIN IMMEDIATE')
    const refused = await server.request('PUT', '/api/apiTokens/while-locked', {
      body: { roles: [{ role: ROLE_IDS.operator }] },
    })
    expectError(refused, 503, 'ServiceUnavailable', /busy/)
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/)
    other.exec('ROLLBACK')

    expectError(await server.request('GET', '/api/apiTokens/while-locked'), 404, 'NotFound')
    const written = await server.request('PUT', '/api/apiTokens/while-locked', {
      body: { roles: [{ role: ROLE_IDS.operator }] },
    })
    assert.equal(written.status, 200, written.text)
  })
})
