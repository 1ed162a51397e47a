import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { it } from 'node:test'
import SqliteDatabase from 'better-sqlite3'
import { loadConfig } from '../../src/config/load.js'
import { SQLITE_FILE_NAME } from '../../src/storage/dialects/sqlite.js'
import { openStore } from '../../src/storage/open-store.js'

it('an SQLite transaction that reads, then writes, is not undone by another process writing in between', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-immediate-'))
  const store = await openStore(loadConfig({ overrides: { dataDir, logLevel: 'silent' } }))
  // Another process's connection (a CLI command beside the server), not waiting for locks.
  const other = new SqliteDatabase(path.join(dataDir, SQLITE_FILE_NAME))
  other.pragma('busy_timeout = 0')
  try {
    let otherWrote = false
    await store.db.transaction().execute(async (trx) => {
      await trx.selectFrom('organizations').select('id').execute()
      try {
        other.prepare("insert into organizations (id, display_name, parent_id, created_at) values ('other', 'Other', null, 0)").run()
        otherWrote = true
      } catch (error) {
        // The write lock is this transaction's from its start: the other process must wait.
        assert.match(String(error), /locked|busy/i)
      }
      await trx.insertInto('organizations').values({ id: 'mine', display_name: 'Mine', parent_id: null, created_at: 0 }).execute()
    })
    assert.equal(otherWrote, false)
    const ids = (await store.db.selectFrom('organizations').select('id').execute()).map((row) => row.id)
    assert.deepEqual(ids, ['mine'])
  } finally {
    other.close()
    await store.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
