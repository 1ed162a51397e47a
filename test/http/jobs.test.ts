import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { seedHierarchy } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'
import {
  propertyJob,
  putJob,
  RecordingActions,
  seedDevices,
  seedGroup,
  seedTemplates,
  SENSOR,
  THERMOSTAT,
} from '../jobs/fixtures.js'
import { unreachableDevices } from '../../src/jobs/job-device-actions.js'

for (const dialect of DIALECTS) {
  describe(`jobs (${dialect})`, () => {
    let server: TestServer
    const tokens: Record<string, string> = {}
    const run = () => server.app.services.jobs.runner.runUntilIdle()
    const get = (id: string, auth?: string) => server.request('GET', `/api/jobs/${id}`, auth ? { auth } : {})
    const devicesOf = async (id: string) =>
      Object.fromEntries(
        ((await server.request('GET', `/api/jobs/${id}/devices`, { query: { maxpagesize: 100 } })).body.value as {
          id: string
          status: string
        }[]).map((d) => [d.id, d.status]),
      )
    const expectAbsent = async (id: string) => expectError(await get(id), 404, 'NotFound')

    before(async () => {
      server = await startServer(dialect)
      // The tests drive the runner a pass at a time.
      await server.app.services.jobs.runner.stop()
      await seedHierarchy(server)
      await seedTemplates(server.app)
      await seedDevices(server.app, 'a', 5)
      await seedDevices(server.app, 'a-sensor', 1, { template: SENSOR })
      await seedDevices(server.app, 'b', 5)
      await seedDevices(server.app, 'w', 3, { organization: 'wa' })
      await seedDevices(server.app, 'w-eu', 2, { organization: 'eu' })
      await seedGroup(server.app, 'group-a', 'a')
      await seedGroup(server.app, 'group-b', 'b')
      await seedGroup(server.app, 'group-w', 'w')
      await seedGroup(server.app, 'group-us', 'w', 'us')
      await seedGroup(server.app, 'group-eu', 'w', 'eu')
      await server.app.services.customRoles.put(null, 'job-readers', {
        displayName: 'Job readers',
        type: 'application',
        permissions: ['jobs.read'],
      })
      await server.app.services.customRoles.put(null, 'job-creators', {
        displayName: 'Job creators',
        type: 'application',
        permissions: ['jobs.create', 'deviceGroups.read'],
      })
      tokens.reader = await server.createToken('reader', ['job-readers'])
      await server.app.services.customRoles.put(null, 'device-readers', {
        displayName: 'Device readers',
        type: 'application',
        permissions: ['devices.read'],
      })
      tokens.deviceReader = await server.createToken('device-reader', ['device-readers'])
      tokens.creator = await server.createToken('creator', ['job-creators'])
      tokens.operator = await server.createToken('operator', [ROLE_IDS.operator])
      tokens.us = await server.createScopedToken('us-operator', [{ role: ROLE_IDS.orgAdmin, organization: 'us' }])
    })
    after(async () => server?.close())

    describe('authentication, permissions and scope', () => {
      const routes = (id: string): [string, string, unknown?][] => [
        ['GET', '/api/jobs'],
        ['GET', `/api/jobs/${id}`],
        ['PUT', `/api/jobs/${id}-new`, propertyJob('group-a')],
        ['GET', `/api/jobs/${id}/devices`],
        ['PUT', `/api/jobs/${id}/rerun/${id}-rerun`],
        ['POST', `/api/jobs/${id}/stop`],
        ['POST', `/api/jobs/${id}/resume`],
      ]

      it('answers 401 without a credential on every route, and changes nothing', async () => {
        const job = await putJob(server, 'auth-job', propertyJob('group-a'))
        for (const [method, path, body] of routes('auth-job')) {
          expectError(await server.request(method, path, { auth: null, body }), 401, 'Unauthenticated')
        }
        assert.equal((await get('auth-job')).body.status, job.status)
        await expectAbsent('auth-job-new')
        await expectAbsent('auth-job-rerun')
      })

      it('answers 403 to a role without the permission, and changes nothing', async () => {
        for (const [method, path, body] of routes('auth-job')) {
          // A role without jobs.read reads nothing; one with only jobs.read changes nothing.
          expectError(await server.request(method, path, { auth: tokens.deviceReader, body }), 403, 'Forbidden')
          if (method === 'GET') continue
          expectError(await server.request(method, path, { auth: tokens.reader, body }), 403, 'Forbidden')
        }
        // jobs.create without jobs.execute cannot start a job.
        expectError(
          await server.request('PUT', '/api/jobs/auth-job-new', { auth: tokens.creator, body: propertyJob('group-a') }),
          403,
          'Forbidden',
          /jobs\.execute/,
        )
        await expectAbsent('auth-job-new')
        assert.equal((await get('auth-job')).body.status, 'running')
      })

      it('answers 404 for a job out of the caller organizations, and leaves it out of lists', async () => {
        for (const [method, path, body] of routes('auth-job')) {
          if (method === 'PUT' && !path.includes('rerun')) continue
          const response = await server.request(method, path, { auth: tokens.us, body })
          if (path === '/api/jobs') {
            assert.equal(response.status, 200)
            assert.ok(!response.body.value.some((j: { id: string }) => j.id === 'auth-job'))
          } else expectError(response, 404, 'NotFound')
        }
        assert.equal((await get('auth-job')).body.status, 'running')
        await expectAbsent('auth-job-rerun')
      })

      it('lets an organization caller run a job in its organization, over its devices only', async () => {
        // group-us sits in 'us' and holds w-* devices there and below (wa); w-eu-* are in 'eu'.
        const job = await putJob(server, 'us-job', propertyJob('group-us', { organizations: ['us'] }), tokens.us)
        assert.deepEqual(job.organizations, ['us'])
        // A root group holding devices of every organization: members are cut to the job's organization.
        await putJob(server, 'us-root-group', propertyJob('group-w', { organizations: ['wa'] }))
        // … which an organization caller cannot reach.
        expectError(
          await server.request('PUT', '/api/jobs/us-w', { auth: tokens.us, body: propertyJob('group-w', { organizations: ['us'] }) }),
          422,
          'UnprocessableEntity',
          /^group: the device group 'group-w' does not exist/,
        )
        expectError(
          await server.request('PUT', '/api/jobs/us-eu', { auth: tokens.us, body: propertyJob('group-eu', { organizations: ['us'] }) }),
          422,
          'UnprocessableEntity',
          /^group: the device group 'group-eu' does not exist/,
        )
        expectError(
          await server.request('PUT', '/api/jobs/us-root', { auth: tokens.us, body: propertyJob('group-w') }),
          403,
          'Forbidden',
        )
        await run()
        assert.deepEqual(Object.keys(await devicesOf('us-job')), ['w-001', 'w-002', 'w-003'])
        assert.deepEqual(Object.keys(await devicesOf('us-root-group')), ['w-001', 'w-002', 'w-003'])
        const list = await server.request('GET', '/api/jobs', { auth: tokens.us })
        assert.deepEqual(
          list.body.value.map((j: { id: string }) => j.id),
          ['us-job', 'us-root-group'],
        )
        await expectAbsent('us-eu')
        await expectAbsent('us-root')
        await expectAbsent('us-w')
      })
    })

    describe('creating and running', () => {
      it('creates and starts a job, runs it to completion, and reports progress and devices', async () => {
        const actions = new RecordingActions()
        server.app.services.jobs.useDeviceActions(actions)
        try {
          const created = await putJob(server, 'set-target', {
            ...propertyJob('group-a'),
            description: 'Warmer',
          })
          assert.equal(created.id, 'set-target')
          assert.equal(created.status, 'running')
          assert.equal(created.group, 'group-a')
          assert.deepEqual(created.data, [{ type: 'property', target: THERMOSTAT, path: 'target', value: 21.5 }])
          assert.ok(!Number.isNaN(Date.parse(created.start)))
          assert.equal(created.end, undefined)
          await run()
          const done = (await get('set-target')).body
          assert.equal(done.status, 'complete')
          assert.ok(done.end)
          // a-sensor-001 has another template: it fails, the five thermostats complete.
          assert.deepEqual(done.progress, { total: 6, pending: 0, completed: 5, failed: 1 })
          const devices = await devicesOf('set-target')
          assert.equal(devices['a-sensor-001'], 'failed')
          assert.equal(devices['a-001'], 'completed')
          assert.deepEqual(actions.of('set-target').sort(), ['a-001', 'a-002', 'a-003', 'a-004', 'a-005'])
          const list = await server.request('GET', '/api/jobs', { query: { maxpagesize: 1 } })
          assert.equal(list.body.value.length, 1)
          assert.ok(list.body.nextLink)
        } finally {
          server.app.services.jobs.useDeviceActions(unreachableDevices)
        }
      })

      it('fails property and command jobs on devices that never connected', async () => {
        await putJob(server, 'reboot', {
          group: 'group-b',
          data: [{ type: 'command', target: THERMOSTAT, path: 'reboot' }],
        })
        await run()
        const job = (await get('reboot')).body
        assert.equal(job.status, 'complete')
        assert.deepEqual(job.progress, { total: 5, pending: 0, completed: 0, failed: 5 })
      })

      it('writes cloud properties, and moves devices to another template', async () => {
        await seedDevices(server.app, 'c', 2)
        await seedGroup(server.app, 'group-c', 'c')
        await putJob(server, 'customer', {
          group: 'group-c',
          data: [{ type: 'cloudProperty', target: THERMOSTAT, path: 'customer', value: 'Contoso' }],
        })
        await run()
        assert.deepEqual((await get('customer')).body.progress, { total: 2, pending: 0, completed: 2, failed: 0 })
        const properties = await server.request('GET', '/api/devices/c-001/properties')
        assert.equal(properties.body.customer, 'Contoso')

        await putJob(server, 'migrate', { group: 'group-c', data: [{ type: 'deviceTemplateMigration', template: SENSOR }] })
        await run()
        assert.equal((await get('migrate')).body.status, 'complete')
        assert.equal((await server.request('GET', '/api/devices/c-002')).body.template, SENSOR)
      })

      it('refuses bad input with a 422 naming the field, and writes nothing', async () => {
        const cases: [unknown, RegExp][] = [
          [{ data: propertyJob('x').data }, /^group: is required/],
          [propertyJob('no-such-group'), /^group: the device group 'no-such-group' does not exist/],
          [{ group: 'group-a' }, /^data: is required/],
          [{ group: 'group-a', data: [] }, /^data: is required/],
          [{ group: 'group-a', data: [{ type: 'reboot' }] }, /^data\[0\]\.type: must be one of/],
          [{ group: 'group-a', data: [{ type: 'property', target: 'dtmi:nope;1', path: 'target', value: 1 }] }, /^data\[0\]\.target: the device template 'dtmi:nope;1' does not exist/],
          [{ group: 'group-a', data: [{ type: 'property', target: THERMOSTAT, path: 'nope', value: 1 }] }, /^data\[0\]\.path: the device template .* has no writable property 'nope'/],
          [{ group: 'group-a', data: [{ type: 'property', target: THERMOSTAT, path: 'serial', value: 'x' }] }, /^data\[0\]\.path: the property 'serial' .* is not writable/],
          [{ group: 'group-a', data: [{ type: 'property', target: THERMOSTAT, path: 'customer', value: 'x' }] }, /^data\[0\]\.path: .* no writable property 'customer'/],
          [{ group: 'group-a', data: [{ type: 'property', target: THERMOSTAT, path: 'settings.fan', value: 'fast' }] }, /^data\[0\]\.value: expected an integer/],
          [{ group: 'group-a', data: [{ type: 'property', target: THERMOSTAT, path: 'target' }] }, /^data\[0\]\.value: is required/],
          [{ group: 'group-a', data: [propertyJob('x').data[0], { type: 'command', target: THERMOSTAT, path: 'reboot' }] }, /^data\[1\]\.type: every entry of a job has the same type/],
          [{ group: 'group-a', data: [{ type: 'deviceTemplateMigration', template: 'dtmi:nope;1' }] }, /^data\[0\]\.template: the device template 'dtmi:nope;1' does not exist/],
          [propertyJob('group-a', { batch: { type: 'number', value: 0 } }), /^batch\.value:/],
          [propertyJob('group-a', { batch: { type: 'percentage', value: 101 } }), /^batch\.value:/],
          [propertyJob('group-a', { batch: { type: 'some' } }), /^batch\.type:/],
          [propertyJob('group-a', { cancellationThreshold: { type: 'percentage', value: 150 } }), /^cancellationThreshold\.value:/],
          [propertyJob('group-a', { cancellationThreshold: { type: 'number', value: 1, batch: 'yes' } }), /^cancellationThreshold\.batch:/],
          [propertyJob('group-a', { organizations: ['us', 'eu'] }), /^organizations: must hold exactly one/],
          [propertyJob('group-a', { organizations: ['nowhere'] }), /^organizations: the organization 'nowhere' does not exist/],
          [propertyJob('group-a', { id: 'other' }), /^id: is read-only/],
          [propertyJob('group-a', { displayName: 7 }), /^displayName: must be a string/],
        ]
        for (const [body, message] of cases) {
          const response = await server.request('PUT', '/api/jobs/bad-job', { body })
          expectError(response, 422, 'UnprocessableEntity', message)
        }
        expectError(await server.request('PUT', '/api/jobs/bad%20job', { body: propertyJob('group-a') }), 422, 'UnprocessableEntity', /^jobId:/)
        expectError(await server.request('PUT', `/api/jobs/${'x'.repeat(256)}`, { body: propertyJob('group-a') }), 422, 'UnprocessableEntity', /^jobId:/)
        expectError(await server.request('PUT', '/api/jobs/bad-job', { rawBody: '{"group": ' }), 400, 'BadRequest')
        await expectAbsent('bad-job')
        const count = await server.app.store.db.selectFrom('jobs').select('id').where('id', 'like', 'bad%').execute()
        assert.equal(count.length, 0)
        // A job is never replaced.
        await putJob(server, 'once', propertyJob('group-a'))
        expectError(await server.request('PUT', '/api/jobs/once', { body: propertyJob('group-b') }), 409, 'Conflict')
        assert.equal((await get('once')).body.group, 'group-a')
      })

      it('answers 404 for unknown jobs on every route', async () => {
        for (const [method, path] of [
          ['GET', '/api/jobs/nope'],
          ['GET', '/api/jobs/nope/devices'],
          ['POST', '/api/jobs/nope/stop'],
          ['POST', '/api/jobs/nope/resume'],
          ['PUT', '/api/jobs/nope/rerun/nope-2'],
          ['GET', '/api/jobs/bad%20id'],
        ] as const) {
          expectError(await server.request(method, path), 404, 'NotFound')
        }
      })
    })

    describe('batches, stop, resume, threshold, rerun', () => {
      it('works a batch per pass; a stopped job waits, a resumed one goes on', async () => {
        const actions = new RecordingActions()
        server.app.services.jobs.useDeviceActions(actions)
        try {
          await seedDevices(server.app, 'd', 5)
          await seedGroup(server.app, 'group-d', 'd')
          await putJob(server, 'batched', propertyJob('group-d', { batch: { type: 'number', value: 2 } }))
          await server.app.services.jobs.runner.runOnce()
          assert.deepEqual((await get('batched')).body.progress, { total: 5, pending: 3, completed: 2, failed: 0 })
          assert.equal((await server.request('POST', '/api/jobs/batched/stop', { auth: tokens.operator })).status, 204)
          assert.equal((await server.request('POST', '/api/jobs/batched/stop')).status, 204)
          assert.equal((await get('batched')).body.status, 'stopped')
          await run()
          assert.deepEqual((await get('batched')).body.progress, { total: 5, pending: 3, completed: 2, failed: 0 })
          expectError(await server.request('PUT', '/api/jobs/batched/rerun/batched-2'), 409, 'Conflict')
          assert.equal((await server.request('POST', '/api/jobs/batched/resume', { auth: tokens.operator })).status, 204)
          assert.equal((await get('batched')).body.status, 'running')
          await server.app.services.jobs.runner.runOnce()
          assert.deepEqual((await get('batched')).body.progress, { total: 5, pending: 1, completed: 4, failed: 0 })
          await run()
          const job = (await get('batched')).body
          assert.equal(job.status, 'complete')
          assert.deepEqual(actions.of('batched'), ['d-001', 'd-002', 'd-003', 'd-004', 'd-005'])
          expectError(await server.request('POST', '/api/jobs/batched/stop'), 409, 'Conflict')
          expectError(await server.request('POST', '/api/jobs/batched/resume'), 409, 'Conflict')
        } finally {
          server.app.services.jobs.useDeviceActions(unreachableDevices)
        }
      })

      it('batches by percentage', async () => {
        await putJob(server, 'pct', propertyJob('group-d', { batch: { type: 'percentage', value: 40 } }))
        await server.app.services.jobs.runner.runOnce()
        assert.deepEqual((await get('pct')).body.progress, { total: 5, pending: 3, completed: 0, failed: 2 })
      })

      it('cancels a job whose failures exceed the threshold, leaving the rest pending', async () => {
        await putJob(server, 'doomed', propertyJob('group-d', { cancellationThreshold: { type: 'number', value: 2 } }))
        await run()
        const job = (await get('doomed')).body
        assert.equal(job.status, 'cancelled')
        assert.deepEqual(job.progress, { total: 5, pending: 2, completed: 0, failed: 3 })
        assert.ok(job.end)
        await putJob(server, 'doomed-pct', propertyJob('group-d', { cancellationThreshold: { type: 'percentage', value: 50 } }))
        await run()
        assert.deepEqual((await get('doomed-pct')).body.progress, { total: 5, pending: 2, completed: 0, failed: 3 })
        // Per batch: each batch of 2 may lose one device, the second loss in one batch cancels.
        await putJob(
          server,
          'doomed-batch',
          propertyJob('group-d', { batch: { type: 'number', value: 2 }, cancellationThreshold: { type: 'number', value: 1, batch: true } }),
        )
        await run()
        assert.equal((await get('doomed-batch')).body.status, 'cancelled')
        assert.deepEqual((await get('doomed-batch')).body.progress, { total: 5, pending: 3, completed: 0, failed: 2 })
      })

      it('reruns a job on its failed devices only, as a new job', async () => {
        const actions = new RecordingActions((context) =>
          context.device.id === 'd-002' ? { status: 'failed', reason: 'busy' } : { status: 'completed' },
        )
        server.app.services.jobs.useDeviceActions(actions)
        try {
          await putJob(server, 'first-run', propertyJob('group-d'))
          await run()
          assert.deepEqual((await get('first-run')).body.progress, { total: 5, pending: 0, completed: 4, failed: 1 })
          expectError(await server.request('PUT', '/api/jobs/first-run/rerun/bad%20id'), 422, 'UnprocessableEntity', /^rerunId:/)
          expectError(await server.request('PUT', '/api/jobs/first-run/rerun/first-run'), 409, 'Conflict')
          expectError(await server.request('PUT', '/api/jobs/first-run/rerun/x', { auth: tokens.reader }), 403, 'Forbidden')
          await expectAbsent('x')
          actions.calls.length = 0
          const rerun = await server.request('PUT', '/api/jobs/first-run/rerun/second-run', { auth: tokens.operator })
          assert.equal(rerun.status, 200, rerun.text)
          assert.equal(rerun.body.id, 'second-run')
          assert.equal(rerun.body.status, 'running')
          assert.equal(rerun.body.group, 'group-d')
          assert.deepEqual(rerun.body.data, (await get('first-run')).body.data)
          server.app.services.jobs.useDeviceActions(new RecordingActions())
          await run()
          assert.deepEqual(await devicesOf('second-run'), { 'd-002': 'completed' })
          assert.deepEqual((await get('second-run')).body.progress, { total: 1, pending: 0, completed: 1, failed: 0 })
          expectError(await server.request('PUT', '/api/jobs/second-run/rerun/third-run'), 409, 'Conflict', /no failed devices/)
          await expectAbsent('third-run')
        } finally {
          server.app.services.jobs.useDeviceActions(unreachableDevices)
        }
      })
    })
  })
}
