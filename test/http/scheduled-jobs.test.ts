import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { seedHierarchy } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'
import { RecordingActions, seedDevices, seedGroup, seedTemplates, THERMOSTAT } from '../jobs/fixtures.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const MERGE = 'application/merge-patch+json'

for (const dialect of DIALECTS) {
  describe(`scheduled jobs (${dialect})`, () => {
    let server: TestServer
    const tokens: Record<string, string> = {}
    const actions = new RecordingActions()
    const inAnHour = () => new Date(server.clock.now + HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z')
    const scheduled = (extra: Record<string, unknown> = {}) => ({
      displayName: 'Nightly',
      description: '',
      group: 'group-s',
      data: [{ type: 'command', target: THERMOSTAT, path: 'reboot', value: null }],
      schedule: { start: inAnHour(), recurrence: 'daily' },
      ...extra,
    })
    const put = (id: string, body: unknown, auth?: string) =>
      server.request('PUT', `/api/scheduledJobs/${id}`, { body, ...(auth ? { auth } : {}) })
    const create = async (id: string, body: unknown = scheduled()) => {
      const response = await put(id, body)
      assert.equal(response.status, 200, response.text)
      return response.body
    }
    const get = (id: string, auth?: string) => server.request('GET', `/api/scheduledJobs/${id}`, auth ? { auth } : {})
    const patch = (id: string, body: unknown, contentType = MERGE, auth?: string) =>
      server.request('PATCH', `/api/scheduledJobs/${id}`, { body, contentType, ...(auth ? { auth } : {}) })
    const expectUnchanged = async (id: string, before: unknown) => assert.deepEqual((await get(id)).body, before)
    const jobsOf = async (id: string) => (await server.request('GET', `/api/scheduledJobs/${id}/jobs`)).body.value
    const run = () => server.app.services.jobs.runner.runUntilIdle()

    before(async () => {
      server = await startServer(dialect)
      await server.app.services.jobs.runner.stop()
      server.app.services.jobs.useDeviceActions(actions)
      await seedHierarchy(server)
      await seedTemplates(server.app)
      await seedDevices(server.app, 's', 3)
      await seedDevices(server.app, 'us-s', 2, { organization: 'us' })
      await seedGroup(server.app, 'group-s', 's')
      await seedGroup(server.app, 'group-us', 'us-s', 'us')
      await server.app.services.customRoles.put(null, 'job-readers', {
        displayName: 'Job readers',
        type: 'application',
        permissions: ['jobs.read'],
      })
      tokens.reader = await server.createToken('reader', ['job-readers'])
      await server.app.services.customRoles.put(null, 'device-readers', {
        displayName: 'Device readers',
        type: 'application',
        permissions: ['devices.read'],
      })
      tokens.deviceReader = await server.createToken('device-reader', ['device-readers'])
      tokens.us = await server.createScopedToken('us-admin', [{ role: ROLE_IDS.orgAdmin, organization: 'us' }])
    })
    after(async () => server?.close())

    describe('authentication, permissions and scope', () => {
      const routes = (id: string): [string, string, unknown?, string?][] => [
        ['GET', '/api/scheduledJobs'],
        ['GET', `/api/scheduledJobs/${id}`],
        ['PUT', `/api/scheduledJobs/${id}`, scheduled({ displayName: 'Changed' })],
        ['PATCH', `/api/scheduledJobs/${id}`, { displayName: 'Changed' }, MERGE],
        ['DELETE', `/api/scheduledJobs/${id}`],
        ['GET', `/api/scheduledJobs/${id}/jobs`],
      ]

      it('answers 401 without a credential, 403 without the permission, and changes nothing', async () => {
        const existing = await create('auth-sj')
        for (const [method, path, body, contentType] of routes('auth-sj')) {
          expectError(
            await server.request(method, path, { auth: null, body, ...(contentType ? { contentType } : {}) }),
            401,
            'Unauthenticated',
          )
          expectError(
            await server.request(method, path, { auth: tokens.deviceReader, body, ...(contentType ? { contentType } : {}) }),
            403,
            'Forbidden',
          )
          if (method === 'GET') continue
          expectError(
            await server.request(method, path, { auth: tokens.reader, body, ...(contentType ? { contentType } : {}) }),
            403,
            'Forbidden',
          )
        }
        expectError(await put('auth-sj-new', scheduled(), tokens.reader), 403, 'Forbidden')
        await expectUnchanged('auth-sj', existing)
        expectError(await get('auth-sj-new'), 404, 'NotFound')
      })

      it('answers 404 out of the caller organizations and leaves it out of lists', async () => {
        const existing = (await get('auth-sj')).body
        for (const [method, path, body, contentType] of routes('auth-sj')) {
          if (method === 'PUT') {
            // The id is taken by a scheduled job the caller cannot see.
            expectError(await server.request(method, path, { auth: tokens.us, body: scheduled({ group: 'group-us', organizations: ['us'] }) }), 409, 'Conflict')
            continue
          }
          const response = await server.request(method, path, { auth: tokens.us, body, ...(contentType ? { contentType } : {}) })
          if (path === '/api/scheduledJobs') {
            assert.equal(response.status, 200)
            assert.deepEqual(response.body.value, [])
          } else expectError(response, 404, 'NotFound')
        }
        await expectUnchanged('auth-sj', existing)
        const mine = await put('us-sj', scheduled({ group: 'group-us', organizations: ['us'] }), tokens.us)
        assert.equal(mine.status, 200, mine.text)
        assert.deepEqual(
          (await server.request('GET', '/api/scheduledJobs', { auth: tokens.us })).body.value.map((s: { id: string }) => s.id),
          ['us-sj'],
        )
      })
    })

    describe('definitions', () => {
      it('creates, reads, lists, patches and deletes', async () => {
        const created = await create('nightly')
        assert.equal(created.id, 'nightly')
        assert.equal(created.enabled, true)
        assert.equal(created.completed, false)
        assert.equal(typeof created.etag, 'string')
        assert.deepEqual(created.schedule, { start: inAnHour(), recurrence: 'daily' })
        assert.deepEqual((await get('nightly')).body, created)
        const list = await server.request('GET', '/api/scheduledJobs', { query: { maxpagesize: 1 } })
        assert.equal(list.body.value.length, 1)
        assert.ok(list.body.nextLink)

        const patched = await patch('nightly', { schedule: { recurrence: 'weekly' }, description: null, enabled: false })
        assert.equal(patched.status, 200, patched.text)
        assert.equal(patched.body.schedule.recurrence, 'weekly')
        assert.equal(patched.body.schedule.start, created.schedule.start)
        assert.equal(patched.body.description, undefined)
        assert.equal(patched.body.enabled, false)
        assert.notEqual(patched.body.etag, created.etag)
        expectError(await patch('nightly', { displayName: 'x', etag: created.etag }), 412, 'PreconditionFailed')
        await expectUnchanged('nightly', patched.body)

        const replaced = await put('nightly', scheduled({ displayName: 'Replaced', etag: patched.body.etag }))
        assert.equal(replaced.status, 200, replaced.text)
        assert.equal(replaced.body.displayName, 'Replaced')
        assert.equal(replaced.body.enabled, true)

        assert.equal((await server.request('DELETE', '/api/scheduledJobs/nightly')).status, 204)
        expectError(await get('nightly'), 404, 'NotFound')
        expectError(await server.request('DELETE', '/api/scheduledJobs/nightly'), 404, 'NotFound')
        expectError(await patch('nightly', { displayName: 'x' }), 404, 'NotFound')
      })

      it('reads application/json as a merge patch; another content type is 415 and changes nothing', async () => {
        const existing = await create('media')
        for (const contentType of ['text/plain', 'application/xml']) {
          const refused = await server.request('PATCH', '/api/scheduledJobs/media', {
            rawBody: '{"displayName":"x"}',
            contentType,
          })
          expectError(refused, 415, 'UnsupportedMediaType')
        }
        await expectUnchanged('media', existing)
        const json = await patch('media', { displayName: 'From JSON', description: null }, 'application/json')
        assert.equal(json.status, 200, json.text)
        assert.equal(json.body.displayName, 'From JSON')
        assert.deepEqual(json.body.schedule, existing.schedule)
        assert.deepEqual(json.body.data, existing.data)
      })

      it('refuses bad input with a 422 naming the field, and writes nothing', async () => {
        const existing = await create('strict')
        const cases: [unknown, RegExp][] = [
          [{ ...scheduled(), schedule: undefined }, /^schedule: is required/],
          [scheduled({ schedule: { recurrence: 'daily' } }), /^schedule\.start:/],
          [scheduled({ schedule: { start: 'tomorrow' } }), /^schedule\.start:/],
          [scheduled({ schedule: { start: inAnHour(), recurrence: 'hourly' } }), /^schedule\.recurrence:/],
          [scheduled({ schedule: { start: inAnHour(), recurrence: 'daily', end: { type: 'occurrences', occurrences: 1000 } } }), /^schedule\.end\.occurrences:/],
          [scheduled({ schedule: { start: inAnHour(), recurrence: 'daily', end: { type: 'occurrences', occurrences: 0 } } }), /^schedule\.end\.occurrences:/],
          [scheduled({ schedule: { start: inAnHour(), recurrence: 'daily', end: { type: 'date', date: '2000-01-01' } } }), /^schedule\.end\.date: must not be before/],
          [scheduled({ schedule: { start: inAnHour(), end: { type: 'forever' } } }), /^schedule\.end\.type:/],
          [scheduled({ group: 'nope' }), /^group: the device group 'nope' does not exist/],
          [scheduled({ data: [] }), /^data: is required/],
          [scheduled({ data: [{ type: 'command', target: THERMOSTAT, path: 'explode' }] }), /^data\[0\]\.path:/],
          [scheduled({ enabled: 'yes' }), /^enabled:/],
          [scheduled({ organizations: ['nowhere'] }), /^organizations:/],
          [scheduled({ id: 'other' }), /^id: is read-only/],
        ]
        for (const [body, message] of cases) {
          expectError(await put('strict', body), 422, 'UnprocessableEntity', message)
          expectError(await put('strict-new', body), 422, 'UnprocessableEntity', message)
        }
        expectError(await put('bad%20id', scheduled()), 422, 'UnprocessableEntity', /^scheduledJobId:/)
        for (const [body, message] of [
          [{ group: 'nope' }, /^group:/],
          [{ schedule: null }, /^schedule: is required/],
          [{ schedule: { start: 'tomorrow' } }, /^schedule\.start:/],
          [{ schedule: { recurrence: 'hourly' } }, /^schedule\.recurrence:/],
          [{ data: [{ type: 'property', target: THERMOSTAT, path: 'target', value: 'warm' }] }, /^data\[0\]\.value:/],
        ] as const) {
          expectError(await patch('strict', body), 422, 'UnprocessableEntity', message)
        }
        await expectUnchanged('strict', existing)
        expectError(await get('strict-new'), 404, 'NotFound')
      })
    })

    describe('occurrences', () => {
      it('starts a job at each occurrence, refuses changes while one runs, and completes at the end', async () => {
        await create('twice', scheduled({
          displayName: 'Reboot',
          schedule: { start: inAnHour(), recurrence: 'daily', end: { type: 'occurrences', occurrences: 2 } },
        }))
        await run()
        assert.deepEqual(await jobsOf('twice'), [])
        server.clock.advance(HOUR)
        await server.app.services.jobs.runner.runOnce()
        const [first] = await jobsOf('twice')
        assert.equal(first.id, 'twice-1')
        assert.equal(first.scheduledJobId, 'twice')
        assert.equal(first.displayName, 'Reboot - 1')
        assert.equal(first.group, 'group-s')
        assert.equal(first.status, 'running')
        // A change while an occurrence runs is refused.
        const before = (await get('twice')).body
        expectError(await patch('twice', { displayName: 'x' }), 409, 'Conflict', /has a job running/)
        expectError(await put('twice', scheduled()), 409, 'Conflict')
        await expectUnchanged('twice', before)
        await run()
        assert.equal((await jobsOf('twice'))[0].status, 'complete')
        assert.equal((await patch('twice', { displayName: 'Reboot' })).status, 200)
        server.clock.advance(DAY)
        await run()

        const second = await jobsOf('twice')
        assert.deepEqual(second.map((j: { id: string }) => j.id), ['twice-1', 'twice-2'])
        const done = (await get('twice')).body
        assert.equal(done.completed, true)
        server.clock.advance(DAY)
        await run()
        assert.equal((await jobsOf('twice')).length, 2)
        // Deleting the definition leaves its jobs.
        assert.equal((await server.request('DELETE', '/api/scheduledJobs/twice')).status, 204)
        assert.equal((await server.request('GET', '/api/jobs/twice-2')).status, 200)
      })

      it('starts nothing while disabled, and a one-time schedule once', async () => {
        await create('paused', scheduled({ enabled: false, schedule: { start: inAnHour() } }))
        server.clock.advance(2 * HOUR)
        await run()
        assert.deepEqual(await jobsOf('paused'), [])
        const enabled = await patch('paused', { enabled: true })
        assert.equal(enabled.status, 200, enabled.text)
        await run()
        assert.deepEqual((await jobsOf('paused')).map((j: { id: string }) => j.id), ['paused-1'])
        assert.equal((await get('paused')).body.completed, true)
        server.clock.advance(DAY)
        await run()
        assert.equal((await jobsOf('paused')).length, 1)
      })
    })
  })
}
