import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { after, afterEach, beforeEach, describe, it } from 'node:test'
import { runCli, startCliServer, tempDataDir } from '../helpers/cli.js'
import { createStore, expectExit, type TestStore } from '../helpers/cli-store.js'
import { DIALECTS } from '../helpers/dialects.js'
import { API_VERSION, expectError, ROLE_IDS, type ApiResponse } from '../helpers/server.js'

const DAY_MS = 86_400_000
const TOKEN_PATTERN =
  /^SharedAccessSignature sr=[0-9a-f-]{36}&sig=ocsk_[A-Za-z0-9_-]{49}&skn=([A-Za-z0-9._~-]+)&se=(\d+)$/

/** The non-empty lines a command wrote to one stream. */
const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '')

async function request(url: string, pathname: string, token: string | null): Promise<ApiResponse> {
  const headers: Record<string, string> = token === null ? {} : { authorization: token }
  const response = await fetch(`${url}${pathname}`, { headers })
  const text = await response.text()
  let body: unknown
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    body = undefined
  }
  return { status: response.status, headers: response.headers, body, text }
}

describe('CLI: commands and usage', () => {
  it('answers an unknown command with exit code 2 and a hint on stderr', async () => {
    const result = await runCli(['token', 'rotate', 'x'])
    expectExit(result, 2)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /unknown command 'token rotate'/)
    assert.match(result.stderr, /opencentral help/)
  })

  it('prints the usage of every command and exits 2 when given nothing', async () => {
    const result = await runCli([])
    expectExit(result, 2)
    for (const usage of [
      'start',
      'token create',
      'token list',
      'token delete',
      'role list',
      'user add',
    ]) {
      assert.ok(result.stdout.includes(`opencentral ${usage}`), `usage names '${usage}'`)
    }
  })

  it('refuses an unknown flag with exit code 2 and the usage', async () => {
    const data = tempDataDir()
    try {
      const result = await runCli(['token', 'list', '--colour', 'red', '--data', data.dir])
      expectExit(result, 2)
      assert.match(result.stderr, /colour/)
      assert.match(result.stderr, /Usage: opencentral token list/)
      assert.equal(result.stdout, '')
    } finally {
      data.remove()
    }
  })
})

describe('CLI: start refuses a bad configuration', () => {
  const data = tempDataDir()
  after(() => data.remove())

  it('exits 2 naming port for --port abc', async () => {
    const result = await runCli(['start', '--port', 'abc', '--data', data.dir], {
      timeoutMs: 10_000,
    })
    expectExit(result, 2)
    assert.match(result.stderr, /port \(--port\)/)
    assert.match(result.stderr, /"abc"/)
    assert.equal(result.stdout, '')
  })

  it('exits 2 naming logLevel for OPENCENTRAL_LOG_LEVEL=loud', async () => {
    const result = await runCli(['start', '--port', '0', '--mqtt-port', '0', '--data', data.dir], {
      env: { OPENCENTRAL_LOG_LEVEL: 'loud' },
      timeoutMs: 10_000,
    })
    expectExit(result, 2)
    assert.match(result.stderr, /logLevel \(OPENCENTRAL_LOG_LEVEL\)/)
    assert.match(result.stderr, /"loud"/)
  })

  it('exits 2 naming the database URL for --database mysql://x', async () => {
    const result = await runCli(
      ['start', '--port', '0', '--mqtt-port', '0', '--database', 'mysql://x', '--data', data.dir],
      {
        timeoutMs: 10_000,
      },
    )
    expectExit(result, 2)
    assert.match(result.stderr, /databaseUrl \(--database\)/)
    assert.match(result.stderr, /mysql:\/\/x/)
  })

  it('reports every bad value at once', async () => {
    const result = await runCli(['start', '--port', 'abc', '--data', data.dir], {
      env: { OPENCENTRAL_LOG_LEVEL: 'loud' },
      timeoutMs: 10_000,
    })
    expectExit(result, 2)
    assert.match(result.stderr, /port \(--port\)/)
    assert.match(result.stderr, /logLevel \(OPENCENTRAL_LOG_LEVEL\)/)
  })

  it('has written no store for a refused configuration', () => {
    assert.deepEqual(readdirSync(data.dir), [])
  })
})

for (const dialect of DIALECTS) {
  describe(`CLI: tokens and roles (${dialect})`, () => {
    let store: TestStore
    beforeEach(async () => {
      store = await createStore(dialect)
    })
    afterEach(async () => store?.remove())

    const cli = (...args: string[]) => runCli([...args, ...store.flags])
    const listJson = async (): Promise<Array<Record<string, unknown>>> => {
      const result = await cli('token', 'list', '--json')
      expectExit(result, 0)
      return JSON.parse(result.stdout)
    }

    it('token create prints exactly one line on stdout: the token value, and exits 0', async () => {
      const before = Date.now()
      const result = await cli('token', 'create', 'first-admin', '--role', 'Administrator')
      expectExit(result, 0)
      const out = lines(result.stdout)
      assert.equal(out.length, 1, `stdout: ${result.stdout}`)
      assert.ok(result.stdout.endsWith('\n'))
      const match = TOKEN_PATTERN.exec(out[0]!)
      assert.ok(match, `not a token value: ${out[0]}`)
      assert.equal(match[1], 'first-admin')
      // Without --expiry the token lives the default 365 days.
      const se = Number(match[2])
      assert.ok(se >= before + 365 * DAY_MS && se <= Date.now() + 365 * DAY_MS, `se ${se}`)
      assert.match(result.stderr, /Created API token 'first-admin'/)
      assert.ok(
        !result.stderr.includes(out[0]!.split('sig=')[1]!.split('&')[0]!),
        'no secret on stderr',
      )
      assert.deepEqual(await listJson(), [
        {
          id: 'first-admin',
          roles: [{ role: ROLE_IDS.administrator }],
          expiry: new Date(se).toISOString(),
        },
      ])
    })

    it('token create accepts a role name in any case and a role id', async () => {
      const byName = await cli('token', 'create', 'by-name', '--role', 'administrator')
      expectExit(byName, 0)
      const byId = await cli('token', 'create', 'by-id', '--role', ROLE_IDS.operator)
      expectExit(byId, 0)
      const upper = await cli('token', 'create', 'by-upper-name', '--role', 'BUILDER')
      expectExit(upper, 0)
      for (const result of [byName, byId, upper]) assert.match(result.stdout.trim(), TOKEN_PATTERN)
      const roles = Object.fromEntries((await listJson()).map((t) => [t.id, t.roles]))
      assert.deepEqual(roles, {
        'by-name': [{ role: ROLE_IDS.administrator }],
        'by-id': [{ role: ROLE_IDS.operator }],
        'by-upper-name': [{ role: ROLE_IDS.builder }],
      })
    })

    it('token create --json prints one JSON object with id, roles, expiry and token', async () => {
      const expiry = new Date(Date.now() + 10 * DAY_MS).toISOString()
      const result = await cli(
        'token',
        'create',
        'json-token',
        '--role',
        'Operator',
        '--expiry',
        expiry,
        '--json',
      )
      expectExit(result, 0)
      const out = lines(result.stdout)
      assert.equal(out.length, 1, `stdout: ${result.stdout}`)
      const created = JSON.parse(out[0]!)
      assert.deepEqual(Object.keys(created).sort(), ['expiry', 'id', 'roles', 'token'])
      assert.equal(created.id, 'json-token')
      assert.deepEqual(created.roles, [{ role: ROLE_IDS.operator }])
      assert.equal(created.expiry, expiry)
      const match = TOKEN_PATTERN.exec(created.token)
      assert.ok(match, `not a token value: ${created.token}`)
      assert.equal(match[1], 'json-token')
      assert.equal(Number(match[2]), Date.parse(expiry))
    })

    it('token create refuses an expiry in the past: exit 1, stderr says so, nothing created', async () => {
      const result = await cli(
        'token',
        'create',
        'stale',
        '--role',
        'Operator',
        '--expiry',
        '2000-01-01T00:00:00Z',
      )
      expectExit(result, 1)
      assert.equal(result.stdout, '')
      assert.match(result.stderr, /expiry: 2000-01-01T00:00:00\.000Z is in the past/)
      assert.deepEqual(await listJson(), [])
    })

    it('token create refuses an unknown role: exit 2 naming the known roles, nothing created', async () => {
      const result = await cli('token', 'create', 'nobody', '--role', 'Superuser')
      expectExit(result, 2)
      assert.equal(result.stdout, '')
      assert.match(result.stderr, /unknown role 'Superuser'/)
      assert.match(result.stderr, /Administrator, Builder, Operator/)
      assert.match(result.stderr, /Usage: opencentral token create/)
      assert.deepEqual(await listJson(), [])
    })

    it('token create refuses an id that exists: exit 1, the first token is untouched', async () => {
      const first = await cli('token', 'create', 'twice', '--role', 'Operator')
      expectExit(first, 0)
      const [before] = await listJson()
      const second = await cli('token', 'create', 'twice', '--role', 'Administrator')
      expectExit(second, 1)
      assert.equal(second.stdout, '')
      assert.match(second.stderr, /'twice' already exists/)
      assert.deepEqual(await listJson(), [before])
      assert.deepEqual(before!.roles, [{ role: ROLE_IDS.operator }])
    })

    it('token create without a token id or without --role exits 2 with the usage', async () => {
      const noId = await cli('token', 'create', '--role', 'Administrator')
      expectExit(noId, 2)
      assert.match(noId.stderr, /token create takes exactly one token id/)
      assert.match(noId.stderr, /Usage: opencentral token create <tokenId>/)
      assert.equal(noId.stdout, '')
      const noRole = await cli('token', 'create', 'roleless')
      expectExit(noRole, 2)
      assert.match(noRole.stderr, /--role/)
      assert.match(noRole.stderr, /Usage: opencentral token create/)
      assert.deepEqual(await listJson(), [])
    })

    it('token create refuses an id IoT Central could not carry: exit 1, nothing created', async () => {
      const result = await cli('token', 'create', 'has space', '--role', 'Operator')
      expectExit(result, 1)
      assert.equal(result.stdout, '')
      assert.match(result.stderr, /not a valid token id/)
      assert.deepEqual(await listJson(), [])
    })

    it('token list shows ids, role names and expiry, and never any secret', async () => {
      const values: string[] = []
      for (const [id, role] of [
        ['list-admin', 'Administrator'],
        ['list-operator', 'Operator'],
      ] as const) {
        const created = await cli('token', 'create', id, '--role', role)
        expectExit(created, 0)
        values.push(created.stdout.trim())
      }
      const result = await cli('token', 'list')
      expectExit(result, 0)
      const rows = lines(result.stdout)
      assert.equal(rows.length, 3, `stdout: ${result.stdout}`)
      assert.match(rows[0]!, /^ID\s+ROLES\s+EXPIRY$/)
      const tokens = await listJson()
      for (const token of tokens) {
        const name = token.id === 'list-admin' ? 'Administrator' : 'Operator'
        const row = rows.find((r) => r.startsWith(`${String(token.id)} `))
        assert.ok(row, `a row for ${String(token.id)}`)
        assert.match(row, new RegExp(`^${String(token.id)}\\s+${name}\\s+${String(token.expiry)}$`))
      }
      for (const value of values) {
        const sig = /sig=([^&]+)/.exec(value)![1]!
        assert.ok(
          !result.stdout.includes(sig) && !result.stderr.includes(sig),
          'the secret is not listed',
        )
      }
      assert.ok(
        !result.stdout.includes('ocsk_') && !result.stdout.includes('SharedAccessSignature'),
      )
    })

    it('token list --json is valid JSON holding id, roles and expiry only', async () => {
      const expiry = new Date(Date.now() + 30 * DAY_MS).toISOString()
      expectExit(await cli('token', 'create', 'json-a', '--role', 'Builder', '--expiry', expiry), 0)
      expectExit(
        await cli('token', 'create', 'json-b', '--role', 'Operator', '--role', 'Builder'),
        0,
      )
      const result = await cli('token', 'list', '--json')
      expectExit(result, 0)
      assert.equal(lines(result.stdout).length, 1)
      const tokens = JSON.parse(result.stdout) as Array<Record<string, unknown>>
      assert.ok(Array.isArray(tokens))
      assert.deepEqual(tokens.map((t) => t.id).sort(), ['json-a', 'json-b'])
      for (const token of tokens) {
        assert.deepEqual(Object.keys(token).sort(), ['expiry', 'id', 'roles'])
        assert.ok(!('token' in token))
      }
      const a = tokens.find((t) => t.id === 'json-a')!
      assert.equal(a.expiry, expiry)
      assert.deepEqual(a.roles, [{ role: ROLE_IDS.builder }])
      const b = tokens.find((t) => t.id === 'json-b')!
      assert.deepEqual(
        (b.roles as Array<{ role: string }>).map((r) => r.role).sort(),
        [ROLE_IDS.builder, ROLE_IDS.operator].sort(),
      )
      assert.ok(!result.stdout.includes('ocsk_') && !result.stdout.includes('sig='))
    })

    it('token list of an empty store prints only the header, and [] with --json', async () => {
      const table = await cli('token', 'list')
      expectExit(table, 0)
      assert.deepEqual(
        lines(table.stdout).map((l) => l.split(/\s+/)),
        [['ID', 'ROLES', 'EXPIRY']],
      )
      assert.deepEqual(await listJson(), [])
    })

    it('token delete removes the token and exits 0; deleting it again exits 1', async () => {
      expectExit(await cli('token', 'create', 'keeper', '--role', 'Administrator'), 0)
      expectExit(await cli('token', 'create', 'doomed', '--role', 'Operator'), 0)
      const deleted = await cli('token', 'delete', 'doomed')
      expectExit(deleted, 0)
      assert.match(deleted.stderr, /Deleted API token 'doomed'/)
      assert.deepEqual(
        (await listJson()).map((t) => t.id),
        ['keeper'],
      )
      const again = await cli('token', 'delete', 'doomed')
      expectExit(again, 1)
      assert.match(again.stderr, /'doomed' was not found/)
      assert.deepEqual(
        (await listJson()).map((t) => t.id),
        ['keeper'],
      )
    })

    it('token delete of an id that never existed exits 1 and changes nothing', async () => {
      expectExit(await cli('token', 'create', 'present', '--role', 'Administrator'), 0)
      const result = await cli('token', 'delete', 'absent')
      expectExit(result, 1)
      assert.match(result.stderr, /The API token 'absent' was not found/)
      assert.deepEqual(
        (await listJson()).map((t) => t.id),
        ['present'],
      )
    })

    it('token delete without an id exits 2 with the usage', async () => {
      const result = await cli('token', 'delete')
      expectExit(result, 2)
      assert.match(result.stderr, /Usage: opencentral token delete <tokenId>/)
    })

    it('token delete refuses to remove the last Administrator: exit 1, still listed', async () => {
      expectExit(await cli('token', 'create', 'only-admin', '--role', 'Administrator'), 0)
      const result = await cli('token', 'delete', 'only-admin')
      expectExit(result, 1)
      assert.match(result.stderr, /last Administrator/)
      assert.deepEqual(
        (await listJson()).map((t) => t.id),
        ['only-admin'],
      )
    })

    it('role list shows Administrator, Builder and Operator with their ids', async () => {
      const result = await cli('role', 'list')
      expectExit(result, 0)
      const rows = lines(result.stdout)
      assert.match(rows[0]!, /^ID\s+NAME\s+TYPE\s+PERMISSIONS$/)
      for (const [name, id] of [
        ['Administrator', ROLE_IDS.administrator],
        ['Builder', ROLE_IDS.builder],
        ['Operator', ROLE_IDS.operator],
      ]) {
        assert.ok(
          rows.some((row) => new RegExp(`^${id}\\s+${name}\\s+application\\s+\\d+$`).test(row)),
          `a row for ${name}: ${result.stdout}`,
        )
      }
      const json = await cli('role', 'list', '--json')
      expectExit(json, 0)
      const roles = JSON.parse(json.stdout) as Array<{
        id: string
        displayName: string
        permissions: string[]
      }>
      assert.deepEqual(
        roles.slice(0, 3).map((r) => [r.id, r.displayName]),
        [
          [ROLE_IDS.administrator, 'Administrator'],
          [ROLE_IDS.builder, 'Builder'],
          [ROLE_IDS.operator, 'Operator'],
        ],
      )
      assert.ok(roles[0]!.permissions.includes('apiTokens.create'))
      assert.ok(!roles[2]!.permissions.includes('apiTokens.create'))
    })

    if (dialect === 'postgres') {
      it('with --database writes nothing to the --data folder', async () => {
        expectExit(await cli('token', 'create', 'pg-only', '--role', 'Administrator'), 0)
        expectExit(await cli('token', 'list'), 0)
        assert.deepEqual(readdirSync(store.dataDir), [])
      })
    }
  })

  describe(`CLI: the quick start, end to end (${dialect})`, () => {
    let store: TestStore
    beforeEach(async () => {
      store = await createStore(dialect)
    })
    afterEach(async () => store?.remove())

    it('serves a CLI-made token, and refuses it on the next request once the CLI deletes it', async () => {
      const server = await startCliServer([...store.flags, '--log-level', 'warn'])
      try {
        const devices = `/api/devices?api-version=${API_VERSION}`
        expectError(await request(server.url, devices, null), 401, 'Unauthenticated')

        const created = await runCli([
          'token',
          'create',
          'first-admin',
          '--role',
          'Administrator',
          ...store.flags,
        ])
        expectExit(created, 0)
        const token = created.stdout.trim()
        assert.match(token, TOKEN_PATTERN)

        for (let i = 0; i < 2; i++) {
          const response = await request(server.url, devices, token)
          assert.equal(response.status, 200, response.text)
          assert.deepEqual(response.body, { value: [] })
        }

        // The last Administrator cannot be revoked, so a second one is made first.
        const backup = await runCli([
          'token',
          'create',
          'backup-admin',
          '--role',
          'Administrator',
          ...store.flags,
        ])
        expectExit(backup, 0)
        const deleted = await runCli(['token', 'delete', 'first-admin', ...store.flags])
        expectExit(deleted, 0)

        const revoked = await request(server.url, devices, token)
        expectError(revoked, 401, 'Unauthenticated')
        assert.match(revoked.headers.get('www-authenticate') ?? '', /error="invalid_token"/)
        const other = await request(server.url, devices, backup.stdout.trim())
        assert.equal(other.status, 200, other.text)

        const started = Date.now()
        server.child.kill('SIGTERM')
        const outcome = await Promise.race([
          server.exited,
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000).unref()),
        ])
        assert.ok(
          outcome,
          `the server did not exit within 5 s of SIGTERM\nstderr: ${server.stderr()}`,
        )
        assert.deepEqual(outcome, { code: 0, signal: null }, `stderr: ${server.stderr()}`)
        assert.ok(Date.now() - started < 5_000)
        assert.ok(
          !server.stdout().includes(token.split('sig=')[1]!.split('&')[0]!),
          'no secret in the log',
        )
      } finally {
        if (server.child.exitCode === null && server.child.signalCode === null) {
          server.child.kill('SIGKILL')
          await server.exited
        }
      }
    })
  })
}
