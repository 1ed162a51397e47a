import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MAX_SOURCES_PER_WINDOW } from '../../src/audit/refusal-aggregator.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, ROLE_IDS, startServerWithRoleTokens, type ServerWithRoleTokens, type TestServer } from '../helpers/server.js'

const DAY_MS = 86_400_000

interface AuditRecord {
  id: string
  time: string
  actor: { type: string; id?: string }
  action: string
  target?: string
  clientAddress?: string
  requestId?: string
  outcome: string
  status?: number
  count: number
}

async function records(server: TestServer, query: Record<string, string | number> = {}): Promise<AuditRecord[]> {
  const response = await server.request('GET', '/api/auditLogs', { query: { maxpagesize: 100, ...query } })
  assert.equal(response.status, 200, response.text)
  return response.body.value
}

/**
 * The newest record of an action (and target): refusals are recorded once the answer has gone,
 * so a record may land a moment after the response; it is looked for up to 3 s.
 */
const newest = async (server: TestServer, action: string, target?: string) => {
  for (let waited = 0; ; waited += 25) {
    const found = (await records(server, { action })).find((r) => target === undefined || r.target === target)
    if (found || waited >= 3000) return found
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

for (const dialect of DIALECTS) {
  describe(`Audit log (${dialect})`, () => {
    let server: ServerWithRoleTokens
    before(async () => {
      server = await startServerWithRoleTokens(dialect)
    })
    after(async () => server?.close())

    describe('who may read it', () => {
      it('answers 401 without a credential or with a wrong one', async () => {
        expectError(await server.request('GET', '/api/auditLogs', { auth: null }), 401, 'Unauthenticated')
        expectError(await server.request('GET', '/api/auditLogs', { auth: 'garbage' }), 401, 'Unauthenticated')
      })

      it('answers 403 to Builder and Operator tokens: auditLog.read is held by Administrators only', async () => {
        for (const auth of [server.builderToken, server.operatorToken]) {
          expectError(
            await server.request('GET', '/api/auditLogs', { auth }),
            403,
            'Forbidden',
            'You do not have permission to do this: it needs auditLog.read.',
          )
        }
      })

      it('answers 403 to an organization role: the log is application-wide, never within an organization', async () => {
        assert.equal((await server.request('PUT', '/api/organizations/audit-org', { body: { displayName: 'A' } })).status, 200)
        const orgAdmin = await server.createScopedToken('org-admin', [{ role: ROLE_IDS.orgAdmin, organization: 'audit-org' }])
        expectError(await server.request('GET', '/api/auditLogs', { auth: orgAdmin }), 403, 'Forbidden')
        // A custom organization role cannot even list the permission.
        const refused = await server.request('PUT', '/api/roles/org-auditor', {
          body: { displayName: 'Org auditor', type: 'organization', permissions: ['auditLog.read'] },
        })
        expectError(refused, 422, 'UnprocessableEntity')
      })

      it('answers 404 for an unknown api-version and for a path below it', async () => {
        expectError(await server.request('GET', '/api/auditLogs', { query: { 'api-version': '2099-01-01' } }), 404, 'NotFound')
        expectError(await server.request('GET', '/api/auditLogs/some-id'), 404, 'NotFound')
      })

      it('is served in every api-version (an extension, like /me)', async () => {
        for (const version of ['1.0', '2022-07-31', '2022-10-31-preview']) {
          assert.equal((await server.request('GET', '/api/auditLogs', { query: { 'api-version': version } })).status, 200)
        }
      })

      it('is readable through a custom application role holding auditLog.read', async () => {
        assert.equal(
          (
            await server.request('PUT', '/api/roles/auditor', {
              body: { displayName: 'Auditor', type: 'application', permissions: ['auditLog.read'] },
            })
          ).status,
          200,
        )
        const auditor = await server.createToken('auditor', ['auditor'])
        assert.equal((await server.request('GET', '/api/auditLogs', { auth: auditor })).status, 200)
      })
    })

    describe('what it records', () => {
      it('records a token created over HTTP: who, what, target, when, from where, request id, outcome', async () => {
        const created = await server.request('PUT', '/api/apiTokens/recorded', { body: { roles: [{ role: ROLE_IDS.operator }] } })
        assert.equal(created.status, 200, created.text)
        const record = await newest(server, 'apiToken.create', 'recorded')
        assert.ok(record, 'recorded')
        assert.deepEqual(record.actor, { type: 'apiToken', id: 'test-admin' })
        assert.equal(record.outcome, 'success')
        assert.equal(record.status, undefined)
        assert.equal(record.count, 1)
        assert.equal(record.clientAddress, '127.0.0.1')
        assert.equal(record.requestId, created.headers.get('x-ms-request-id'))
        assert.equal(record.time, new Date(server.clock.now).toISOString())
        for (const value of [created.body.token, /sig=([^&]+)/.exec(created.body.token)![1]!]) {
          const text = (await server.request('GET', '/api/auditLogs', { query: { maxpagesize: 100 } })).text
          assert.ok(!text.includes(value), 'the log never holds a token value')
        }
      })

      it('records the CLI\'s store-level changes as the operator, with no address', async () => {
        await server.createToken('from-cli', [ROLE_IDS.operator])
        await server.app.services.apiTokens.delete(null, 'from-cli')
        for (const action of ['apiToken.create', 'apiToken.delete']) {
          const record = await newest(server, action, 'from-cli')
          assert.ok(record, action)
          assert.deepEqual(record.actor, { type: 'operator' })
          assert.equal(record.clientAddress, undefined)
          assert.equal(record.requestId, undefined)
        }
      })

      it('records a route-level refusal as auth.denied and a service-level one with its action', async () => {
        // A new window: the builder's earlier refusals (reading the log) are folded into the last one.
        await server.app.housekeeping.refusals.closeWindow()
        const denied = await server.request('DELETE', '/api/apiTokens/recorded', { auth: server.builderToken })
        expectError(denied, 403, 'Forbidden')
        const routeLevel = await newest(server, 'auth.denied', 'DELETE /api/apiTokens/recorded')
        assert.ok(routeLevel)
        assert.deepEqual(routeLevel.actor, { type: 'apiToken', id: 'builder' })
        assert.equal(routeLevel.target, 'DELETE /api/apiTokens/recorded')
        assert.equal(routeLevel.outcome, 'denied')
        assert.equal(routeLevel.status, 403)

        // Holding apiTokens.create does not allow granting Administrator: refused by the service.
        assert.equal(
          (
            await server.request('PUT', '/api/roles/token-maker', {
              body: { displayName: 'Token maker', type: 'application', permissions: ['apiTokens.create'] },
            })
          ).status,
          200,
        )
        const maker = await server.createToken('maker', ['token-maker'])
        const escalation = await server.request('PUT', '/api/apiTokens/escalated', {
          auth: maker,
          body: { roles: [{ role: ROLE_IDS.administrator }] },
        })
        expectError(escalation, 403, 'Forbidden')
        const serviceLevel = await newest(server, 'apiToken.create', 'escalated')
        assert.ok(serviceLevel)
        assert.deepEqual(serviceLevel.actor, { type: 'apiToken', id: 'maker' })
        assert.equal(serviceLevel.outcome, 'denied')
        assert.equal(serviceLevel.status, 403)
        assert.equal(serviceLevel.requestId, escalation.headers.get('x-ms-request-id'))
        // Recorded once, by the service, not again as auth.denied.
        assert.equal((await records(server, { actor: 'maker', action: 'auth.denied' })).length, 0)
      })

      it('records a failed change with its status', async () => {
        const again = await server.request('PUT', '/api/apiTokens/recorded', { body: { roles: [{ role: ROLE_IDS.operator }] } })
        expectError(again, 409, 'Conflict')
        const all = (await records(server, { action: 'apiToken.create' })).filter((r) => r.target === 'recorded')
        assert.deepEqual(
          all.map((r) => [r.outcome, r.status ?? null]),
          [
            ['failed', 409],
            ['success', null],
          ],
        )
      })

      it('records changes to users, roles, organizations, device groups, enrollment groups and scheduled jobs', async () => {
        const changes: Array<[string, string, unknown, string]> = [
          ['PUT', '/api/users/audited', { type: 'email', email: 'audited@example.com', roles: [{ role: ROLE_IDS.operator }] }, 'user.create'],
          ['PATCH', '/api/users/audited', { email: 'audited.2@example.com' }, 'user.update'],
          ['PUT', '/api/users/audited', { type: 'email', email: 'audited.3@example.com', roles: [{ role: ROLE_IDS.operator }] }, 'user.update'],
          ['DELETE', '/api/users/audited', undefined, 'user.delete'],
          ['PUT', '/api/roles/audited', { displayName: 'Audited', type: 'application', permissions: ['devices.read'] }, 'role.create'],
          ['DELETE', '/api/roles/audited', undefined, 'role.delete'],
          ['PUT', '/api/organizations/audited', { displayName: 'Audited' }, 'organization.create'],
          ['PATCH', '/api/organizations/audited', { displayName: 'Audited 2' }, 'organization.update'],
          ['PUT', '/api/deviceGroups/audited', { displayName: 'Audited', filter: 'SELECT * FROM devices WHERE $provisioned = true' }, 'deviceGroup.create'],
          ['DELETE', '/api/deviceGroups/audited', undefined, 'deviceGroup.delete'],
          ['DELETE', '/api/organizations/audited', undefined, 'organization.delete'],
          ['PUT', '/api/enrollmentGroups/audited', { displayName: 'Audited', type: 'iot', attestation: { type: 'symmetricKey' } }, 'enrollmentGroup.create'],
          ['DELETE', '/api/enrollmentGroups/audited', undefined, 'enrollmentGroup.delete'],
        ]
        const bodies: string[] = []
        for (const [method, path, body, action] of changes) {
          const response = await server.request(method, path, { body })
          assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`)
          bodies.push(response.text)
          const record = (await records(server, { action })).find((r) => r.requestId === response.headers.get('x-ms-request-id'))
          assert.ok(record, `${method} ${path} recorded as ${action}`)
          assert.equal(record.target, path.split('/').pop())
          assert.equal(record.outcome, 'success')
        }
        // The enrollment group's keys were in its answer, never in the log.
        const keys = JSON.parse(bodies[11]!).attestation.symmetricKey
        const log = (await server.request('GET', '/api/auditLogs', { query: { maxpagesize: 100 } })).text
        assert.ok(!log.includes(keys.primaryKey) && !log.includes(keys.secondaryKey))
      })
    })

    describe('refused credentials', () => {
      it('records failed authentication once at once, then one aggregated record per window', async () => {
        const probe = 'SharedAccessSignature sr=x&sig=y&skn=probe&se=1'
        for (let i = 0; i < 5; i++) {
          expectError(await server.request('GET', '/api/devices', { auth: probe }), 401, 'Unauthenticated')
        }
        let failures = await records(server, { actor: 'probe', action: 'auth.failure' })
        assert.equal(failures.length, 1, JSON.stringify(failures))
        assert.deepEqual(failures[0]!.actor, { type: 'apiToken', id: 'probe' })
        assert.equal(failures[0]!.count, 1)
        assert.equal(failures[0]!.status, 401)
        assert.equal(failures[0]!.outcome, 'failed')
        assert.equal(failures[0]!.clientAddress, '127.0.0.1')
        await server.app.housekeeping.refusals.closeWindow()
        failures = await records(server, { actor: 'probe', action: 'auth.failure' })
        assert.deepEqual(failures.map((f) => f.count), [4, 1])
        assert.ok(!JSON.stringify(failures).includes('sig=y'))
      })

      it('keeps a flood to a bounded number of records, whatever the number of claimed ids', async () => {
        await server.app.housekeeping.refusals.closeWindow()
        const before = (await records(server, { action: 'auth.failure' })).length
        const attempts = MAX_SOURCES_PER_WINDOW + 50
        for (let i = 0; i < attempts; i++) {
          await server.request('GET', '/api/devices', { auth: `SharedAccessSignature sr=x&sig=y&skn=flood-${i}&se=1` })
        }
        await server.app.housekeeping.refusals.closeWindow()
        let all: AuditRecord[] = []
        let link: string | undefined = undefined
        do {
          const response: { body: { value: AuditRecord[]; nextLink?: string } } = link
            ? await server.request('GET', link, { query: { 'api-version': null } })
            : await server.request('GET', '/api/auditLogs', { query: { action: 'auth.failure', maxpagesize: 100 } })
          all = all.concat(response.body.value)
          link = response.body.nextLink
        } while (link)
        const added = all.length - before
        assert.ok(added <= MAX_SOURCES_PER_WINDOW + 2, `${added} records for ${attempts} failures`)
        const counted = all.slice(0, added).reduce((sum, r) => sum + r.count, 0)
        assert.equal(counted, attempts, 'every failure is counted')
      })
    })

    describe('filters and pages', () => {
      it('filters by action and actor, newest first', async () => {
        const created = await records(server, { action: 'apiToken.create' })
        assert.ok(created.length >= 3)
        assert.ok(created.every((r) => r.action === 'apiToken.create'))
        const ids = created.map((r) => r.id)
        assert.deepEqual(ids, [...ids].sort().reverse())
        const byAdmin = await records(server, { actor: 'test-admin' })
        assert.ok(byAdmin.length > 0 && byAdmin.every((r) => r.actor.id === 'test-admin'))
      })

      it('filters by time range: from inclusive, to exclusive', async () => {
        server.clock.advance(DAY_MS)
        const from = new Date(server.clock.now).toISOString()
        await server.request('PUT', '/api/apiTokens/tomorrow', { body: { roles: [{ role: ROLE_IDS.operator }] } })
        server.clock.advance(DAY_MS)
        const to = new Date(server.clock.now).toISOString()
        await server.request('PUT', '/api/apiTokens/day-after', { body: { roles: [{ role: ROLE_IDS.operator }] } })
        const within = await records(server, { from, to, action: 'apiToken.create' })
        assert.deepEqual(within.map((r) => r.target), ['tomorrow'])
        const since = await records(server, { from, action: 'apiToken.create' })
        assert.deepEqual(since.map((r) => r.target), ['day-after', 'tomorrow'])
        const until = await records(server, { to: from, action: 'apiToken.create' })
        assert.ok(!until.some((r) => r.target === 'tomorrow' || r.target === 'day-after'))
      })

      it('pages with nextLink, which keeps the filters', async () => {
        const first = await server.request('GET', '/api/auditLogs', { query: { maxpagesize: 2, action: 'apiToken.create' } })
        assert.equal(first.status, 200)
        assert.equal(first.body.value.length, 2)
        const next = new URL(first.body.nextLink)
        assert.equal(next.searchParams.get('action'), 'apiToken.create')
        const second = await server.request('GET', `${next.pathname}${next.search}`, { query: { 'api-version': null } })
        assert.equal(second.status, 200, second.text)
        assert.ok(second.body.value.every((r: AuditRecord) => r.action === 'apiToken.create'))
        assert.ok(second.body.value[0].id < first.body.value[1].id)
      })

      it('answers 400 to a bad filter or page, naming it', async () => {
        const cases: Array<[Record<string, string | number>, RegExp]> = [
          [{ from: 'yesterday' }, /^from: /],
          [{ to: 'not-a-date' }, /^to: /],
          [{ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }, /^to: must be later than from/],
          [{ maxpagesize: 0 }, /maxpagesize/],
          [{ $skiptoken: 'nonsense' }, /\$skiptoken/],
        ]
        for (const [query, message] of cases) {
          expectError(await server.request('GET', '/api/auditLogs', { query }), 400, 'BadRequest', message)
        }
      })
    })

    describe('reference', () => {
      it('describes the audit log and token rotation in the OpenAPI document', async () => {
        const response = await server.request('GET', '/api/openapi.json', { auth: null, query: { 'api-version': null } })
        assert.equal(response.status, 200)
        const paths = response.body.paths as Record<string, Record<string, { parameters?: { name: string }[] }>>
        assert.deepEqual(Object.keys(paths['/api/auditLogs'] ?? {}), ['get'])
        const names = (paths['/api/auditLogs']!.get!.parameters ?? []).map((p) => p.name)
        for (const name of ['from', 'to', 'actor', 'action', 'maxpagesize']) assert.ok(names.includes(name), name)
        assert.deepEqual(Object.keys(paths['/api/apiTokens/{tokenId}/rotate'] ?? {}), ['post'])
      })
    })

    describe('retention', () => {
      it('prunes records older than auditRetentionDays (90 by default) and keeps the rest', async () => {
        const before = await records(server)
        assert.ok(before.length > 0)
        // The oldest record is two days old: 87 days on, nothing is past 90 days yet.
        server.clock.advance(87 * DAY_MS)
        assert.equal(await server.app.housekeeping.retention.prune(), 0)
        await server.request('PUT', '/api/apiTokens/recent', { body: { roles: [{ role: ROLE_IDS.operator }] } })
        server.clock.advance(4 * DAY_MS)
        const pruned = await server.app.housekeeping.retention.prune()
        assert.ok(pruned >= before.length, `${pruned} pruned`)
        const left = await records(server)
        assert.ok(left.some((r) => r.target === 'recent'))
        assert.ok(left.every((r) => Date.parse(r.time) >= server.clock.now - 90 * DAY_MS))
      })
    })
  })
}
