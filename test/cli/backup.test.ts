import assert from 'node:assert/strict'
import SqliteDatabase from 'better-sqlite3'
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { SQLITE_FILE_NAME } from '../../src/storage/dialects/sqlite.js'
import { runCli, tempDataDir } from '../helpers/cli.js'
import { expectExit } from '../helpers/cli-store.js'

const ROWS = 200

describe('opencentral backup (SQLite)', () => {
  const data = tempDataDir()
  let writer: SqliteDatabase.Database

  before(async () => {
    // A store made by the CLI, then a writer that keeps its changes in the write-ahead log, as a
    // running server does between checkpoints.
    expectExit(await runCli(['init', '--data', data.dir]), 0)
    expectExit(await runCli(['token', 'create', 'first', '--role', 'Administrator', '--data', data.dir]), 0)
    writer = new SqliteDatabase(path.join(data.dir, SQLITE_FILE_NAME))
    writer.pragma('journal_mode = WAL')
    writer.pragma('wal_autocheckpoint = 0')
    writer.exec('CREATE TABLE probe_rows (n INTEGER NOT NULL)')
    const insert = writer.prepare('INSERT INTO probe_rows (n) VALUES (?)')
    writer.transaction(() => {
      for (let i = 0; i < ROWS; i++) insert.run(i)
    })()
  })
  after(() => {
    writer?.close()
    data.remove()
  })

  /** Rows of the probe table in a copy (0 when the copy does not even have the table). */
  const rowCount = (file: string): number => {
    const db = new SqliteDatabase(file, { readonly: true })
    try {
      const table = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'probe_rows'").get()
      if (!table) return 0
      return (db.prepare('SELECT count(*) AS n FROM probe_rows').get() as { n: number }).n
    } finally {
      db.close()
    }
  }

  it('copies every committed row, including those still in the write-ahead log, while the store is open', async () => {
    const target = path.join(data.dir, 'backup.db')
    const result = await runCli(['backup', target, '--data', data.dir])
    expectExit(result, 0)
    assert.match(result.stdout, /integrity ok/)
    assert.equal(rowCount(target), ROWS)
  })

  it('is needed: a plain copy of the database file misses the rows in the write-ahead log', () => {
    const copied = path.join(data.dir, 'copied.db')
    copyFileSync(path.join(data.dir, SQLITE_FILE_NAME), copied)
    assert.ok(rowCount(copied) < ROWS)
  })

  it('says the secret key is not in the backup, without printing it', async () => {
    const target = path.join(data.dir, 'with-note.db')
    const result = await runCli(['backup', target, '--data', data.dir])
    expectExit(result, 0)
    if (existsSync(path.join(data.dir, 'secret.key'))) {
      assert.match(result.stderr, /secret\.key, which is not in the backup/)
    }
  })

  it('refuses to overwrite a file unless --force, and leaves it unchanged', async () => {
    const target = path.join(data.dir, 'taken.db')
    writeFileSync(target, 'keep me')
    const refused = await runCli(['backup', target, '--data', data.dir])
    expectExit(refused, 1)
    assert.match(refused.stderr, /exists: choose another file or pass --force/)
    assert.equal(readFileSync(target, 'utf8'), 'keep me')
    const forced = await runCli(['backup', target, '--data', data.dir, '--force'])
    expectExit(forced, 0)
    assert.equal(rowCount(target), ROWS)
  })

  it('refuses a folder without a store, naming where it looked', async () => {
    const empty = tempDataDir()
    try {
      const result = await runCli(['backup', path.join(empty.dir, 'b.db'), '--data', empty.dir])
      expectExit(result, 1)
      assert.ok(result.stderr.includes(path.join(empty.dir, SQLITE_FILE_NAME)), result.stderr)
      assert.equal(existsSync(path.join(empty.dir, 'b.db')), false)
    } finally {
      empty.remove()
    }
  })

  it('refuses a PostgreSQL store and names the right tool', async () => {
    const result = await runCli(['backup', 'x.db', '--database', 'postgres://127.0.0.1/none'])
    expectExit(result, 2)
    assert.match(result.stderr, /pg_dump/)
  })

  it('needs exactly one file argument', async () => {
    expectExit(await runCli(['backup', '--data', data.dir]), 2)
  })
})
