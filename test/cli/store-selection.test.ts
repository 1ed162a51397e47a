import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { sql } from 'kysely'
import { openPostgresStore } from '../../src/storage/dialects/postgres.js'
import { openSqliteStore } from '../../src/storage/dialects/sqlite.js'
import type { Store } from '../../src/storage/store.js'
import { createStore, expectExit, type TestStore } from '../helpers/cli-store.js'
import { runCli, tempDataDir } from '../helpers/cli.js'
import { createTestDatabase, DIALECTS } from '../helpers/dialects.js'

/** A migration no version of opencentral has (yet): what a newer version leaves in the store. */
const FUTURE = '209912310001-from-a-newer-version'
/** The newest migration this version has: an older version has not run it. */
const LATEST = '202612020007-stored-keys'

for (const dialect of DIALECTS) {
  describe(`CLI: which store, and its schema (${dialect})`, () => {
    let store: TestStore
    beforeEach(async () => {
      store = await createStore(dialect)
    })
    afterEach(async () => store?.remove())

    const cli = (...args: string[]) => runCli([...args, ...store.flags])
    /** Runs `work` on the test's store, opened by the engine alone: no migration, no check. */
    const raw = async (work: (db: Store['db']) => Promise<void>) => {
      const direct = store.databaseUrl ? await openPostgresStore(store.databaseUrl) : openSqliteStore(store.dataDir)
      try {
        await work(direct.db)
      } finally {
        await direct.close()
      }
    }
    const migrations = async (): Promise<string[]> => {
      let names: string[] = []
      await raw(async (db) => {
        const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)
        names = rows.map((r) => r.name)
      })
      return names
    }

    it('every command names the store it used, on stderr', async () => {
      const where = store.databaseUrl
        ? new RegExp(`Store: PostgreSQL postgres://[^\\s]*${new URL(store.databaseUrl).pathname}`)
        : new RegExp(`Store: SQLite ${path.join(store.dataDir, 'opencentral.db').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)
      const list = await cli('token', 'list')
      expectExit(list, 0)
      assert.match(list.stderr, where)
      const created = await cli('token', 'create', 'a', '--role', 'Administrator')
      expectExit(created, 0)
      assert.match(created.stderr, where)
      assert.equal(created.stdout.trim().split('\n').length, 1, 'stdout holds the token only')
    })

    it('refuses to work on a store that does not exist, says where it looked and how to name the right one, and creates nothing', async () => {
      const elsewhere = tempDataDir()
      const database = dialect === 'postgres' ? await createTestDatabase() : null
      try {
        const missing = path.join(elsewhere.dir, 'data')
        const flags = database ? ['--database', database.url, '--data', missing] : ['--data', missing]
        const result = await runCli(['token', 'create', 'orphan', '--role', 'Administrator', ...flags])
        expectExit(result, 1)
        assert.equal(result.stdout, '', 'no token was made')
        assert.match(result.stderr, database ? /no OpenCentral store in postgres:\/\// : new RegExp(`no OpenCentral store in ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
        assert.match(result.stderr, /--data/)
        assert.match(result.stderr, /OPENCENTRAL_DATA/)
        assert.match(result.stderr, /--database/)
        assert.match(result.stderr, /opencentral init/)
        assert.ok(!existsSync(missing), 'no folder was made')
        if (database) {
          const again = await runCli(['token', 'list', ...flags])
          expectExit(again, 1)
          const init = await runCli(['init', ...flags])
          expectExit(init, 0)
          assert.match(init.stdout, /Created the store/)
          const now = await runCli(['token', 'list', ...flags])
          expectExit(now, 0)
        } else {
          const init = await runCli(['init', ...flags])
          expectExit(init, 0)
          assert.match(init.stdout, /Created the store/)
          assert.ok(readdirSync(missing).includes('opencentral.db'))
          expectExit(await runCli(['token', 'list', ...flags]), 0)
          const twice = await runCli(['init', ...flags])
          expectExit(twice, 0)
          assert.match(twice.stdout, /exists already/)
        }
      } finally {
        await database?.drop()
        elsewhere.remove()
      }
    })

    it('a command refuses a store a newer opencentral has migrated, saying it is newer; start does too, without "corrupted migrations"', async () => {
      await raw(async (db) => {
        await sql`insert into kysely_migration (name, timestamp) values (${FUTURE}, ${new Date().toISOString()})`.execute(db)
      })
      const list = await cli('token', 'list')
      expectExit(list, 1)
      assert.match(list.stderr, /schema is newer than this opencentral/)
      assert.match(list.stderr, new RegExp(FUTURE))
      const migrate = await cli('migrate')
      expectExit(migrate, 1)
      assert.match(migrate.stderr, /schema is newer than this opencentral/)
      const start = await runCli(['start', '--port', '0', '--mqtt-port', '0', ...store.flags], { timeoutMs: 60_000 })
      assert.notEqual(start.code, 0)
      assert.equal(start.signal, null, 'start ended by itself')
      assert.match(start.stdout + start.stderr, /schema is newer than this opencentral/)
      assert.doesNotMatch(start.stdout + start.stderr, /corrupted migrations/)
    })

    it('a command refuses a store whose schema is older and leaves it as it is; opencentral migrate brings it up to date', async () => {
      await raw(async (db) => {
        await sql`delete from kysely_migration where name = ${LATEST}`.execute(db)
        await sql`drop table stored_keys`.execute(db)
      })
      const list = await cli('token', 'list')
      expectExit(list, 1)
      assert.match(list.stderr, /schema is older than this opencentral/)
      assert.match(list.stderr, /opencentral migrate/)
      assert.ok(!(await migrations()).includes(LATEST), 'not migrated behind the back of the nodes running')
      const migrate = await cli('migrate')
      expectExit(migrate, 0)
      assert.match(migrate.stdout, new RegExp(`Applied 1 migration.*${LATEST}`, 's'))
      assert.ok((await migrations()).includes(LATEST))
      expectExit(await cli('token', 'list'), 0)
      const again = await cli('migrate')
      expectExit(again, 0)
      assert.match(again.stdout, /already up to date/)
    })

    it('start migrates an older store by default, and refuses it with --no-migrate', async () => {
      await raw(async (db) => {
        await sql`delete from kysely_migration where name = ${LATEST}`.execute(db)
        await sql`drop table stored_keys`.execute(db)
      })
      const refused = await runCli(['start', '--port', '0', '--mqtt-port', '0', '--no-migrate', ...store.flags], { timeoutMs: 60_000 })
      assert.equal(refused.code, 1, `stdout: ${refused.stdout}\nstderr: ${refused.stderr}`)
      assert.match(refused.stderr, /schema is older than this opencentral/)
      assert.ok(!(await migrations()).includes(LATEST))
    })
  })
}
