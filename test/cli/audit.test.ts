import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { runCli } from '../helpers/cli.js'
import { createStore, expectExit, type TestStore } from '../helpers/cli-store.js'
import { DIALECTS } from '../helpers/dialects.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

for (const dialect of DIALECTS) {
  describe(`CLI: token lifecycle and the audit log (${dialect})`, () => {
    let store: TestStore
    beforeEach(async () => {
      store = await createStore(dialect)
    })
    afterEach(async () => store?.remove())

    // Each command starts a process and opens the store: generous on a busy machine.
    const cli = (...args: string[]) => runCli([...args, ...store.flags], { timeoutMs: 120_000 })
    const created = async (...args: string[]) => {
      const result = await cli('token', 'create', ...args, '--json')
      expectExit(result, 0)
      return JSON.parse(result.stdout) as { id: string; expiry: string; description?: string }
    }

    it('token create --expires-in sets the expiry relative to now, in days, hours or minutes', async () => {
      for (const [relative, ms] of [
        ['30d', 30 * DAY_MS],
        ['12h', 12 * HOUR_MS],
        ['90m', 90 * 60_000],
      ] as const) {
        const before = Date.now()
        const token = await created(`in-${relative}`, '--role', 'Operator', '--expires-in', relative)
        const expiry = Date.parse(token.expiry)
        assert.ok(expiry >= before + ms && expiry <= Date.now() + ms, `${relative}: ${token.expiry}`)
      }
    })

    it('token create --description is stored and listed', async () => {
      const token = await created('described', '--role', 'Operator', '--description', 'CI pipeline')
      assert.equal(token.description, 'CI pipeline')
      const list = await cli('token', 'list', '--json')
      assert.equal(JSON.parse(list.stdout)[0].description, 'CI pipeline')
    })

    it('token create refuses a bad --expires-in, or both --expiry and --expires-in: exit 2, nothing created', async () => {
      for (const args of [
        ['--expires-in', '3w'],
        ['--expires-in', '0d'],
        ['--expires-in', '1.5h'],
        ['--expires-in', '30d', '--expiry', new Date(Date.now() + DAY_MS).toISOString()],
      ]) {
        const result = await cli('token', 'create', 'refused', '--role', 'Operator', ...args)
        expectExit(result, 2)
        assert.match(result.stderr, /expires-in/)
        assert.equal(result.stdout, '')
      }
      const list = await cli('token', 'list', '--json')
      assert.deepEqual(JSON.parse(list.stdout), [])
    })

    it('token create --expires-in beyond the longest lifetime is refused by the same rule as --expiry (exit 1)', async () => {
      const result = await cli('token', 'create', 'too-long', '--role', 'Operator', '--expires-in', '800d')
      expectExit(result, 1)
      assert.match(result.stderr, /longest lifetime/)
    })

    it('audit lists the store-level changes as the operator, newest first, with the API filters', async () => {
      await created('first', '--role', 'Administrator')
      await created('second', '--role', 'Operator')
      expectExit(await cli('token', 'delete', 'second'), 0)
      const all = await cli('audit', '--json')
      expectExit(all, 0)
      const records = JSON.parse(all.stdout) as Array<{ action: string; target: string; actor: { type: string }; outcome: string }>
      assert.deepEqual(
        records.map((r) => [r.action, r.target, r.actor.type, r.outcome]),
        [
          ['apiToken.delete', 'second', 'operator', 'success'],
          ['apiToken.create', 'second', 'operator', 'success'],
          ['apiToken.create', 'first', 'operator', 'success'],
        ],
      )
      const filtered = await cli('audit', '--json', '--action', 'apiToken.create', '--limit', '1')
      assert.deepEqual(
        (JSON.parse(filtered.stdout) as Array<{ target: string }>).map((r) => r.target),
        ['second'],
      )
      const future = await cli('audit', '--json', '--from', new Date(Date.now() + DAY_MS).toISOString())
      assert.deepEqual(JSON.parse(future.stdout), [])
      const table = await cli('audit')
      expectExit(table, 0)
      assert.match(table.stdout.split('\n')[0]!, /^TIME\s+ACTOR\s+ACTION\s+TARGET\s+FROM\s+OUTCOME\s+COUNT$/)
      assert.match(table.stdout, /operator\s+apiToken\.delete\s+second/)
      assert.ok(!all.stdout.includes('SharedAccessSignature') && !all.stdout.includes('ocsk_'))
    })

    it('audit refuses bad input: a bad date (exit 1, naming it), a bad limit or an argument (exit 2)', async () => {
      const date = await cli('audit', '--from', 'yesterday')
      expectExit(date, 1)
      assert.match(date.stderr, /from: 'yesterday' is not a date-time/)
      expectExit(await cli('audit', '--limit', '0'), 2)
      expectExit(await cli('audit', 'extra'), 2)
    })
  })
}
