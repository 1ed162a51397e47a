import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import {
  NotConnectedDevices,
  type ConnectionTarget,
  type DeviceConnections,
  type InvocationOutcome,
  type InvocationTimeouts,
} from '../../src/services/device-connections.js'
import { seedDeviceData, type Callers } from '../helpers/device-data.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, startServer, type TestServer } from '../helpers/server.js'

/** The four command paths of a device, the direct method each calls, and a valid request. */
const placesOf = (id: string) =>
  [
    { path: `/api/devices/${id}/commands/reboot`, method: 'reboot', module: null, request: 5 },
    { path: `/api/devices/${id}/components/settings/commands/coolDown`, method: 'settings*coolDown', module: null, request: 30 },
    { path: `/api/devices/${id}/modules/module_env/commands/restart`, method: 'restart', module: 'module_env', request: undefined },
    {
      path: `/api/devices/${id}/modules/module_env/components/componentA/commands/Reboot`,
      method: 'componentA*Reboot',
      module: 'module_env',
      request: true,
    },
  ] as const

interface Call {
  target: ConnectionTarget
  method: string
  payload: unknown
  timeouts: InvocationTimeouts
}

/** A device connection that records each call and answers as told. */
class ScriptedConnections implements DeviceConnections {
  calls: Call[] = []
  outcome: InvocationOutcome = { kind: 'answered', status: 200, payload: { done: true } }
  async invoke(target: ConnectionTarget, method: string, payload: unknown, timeouts: InvocationTimeouts) {
    this.calls.push({ target, method, payload, timeouts })
    return this.outcome
  }
}

for (const dialect of DIALECTS) {
  describe(`device commands (${dialect})`, () => {
    let server: TestServer
    let callers: Callers
    const scripted = new ScriptedConnections()

    const history = async (path: string) => {
      const response = await server.request('GET', path, { query: { maxpagesize: 100 } })
      assert.equal(response.status, 200, response.text)
      return response.body.value as Record<string, unknown>[]
    }
    const histories = async (id: string) => Promise.all(placesOf(id).map(({ path }) => history(path)))

    before(async () => {
      server = await startServer(dialect)
      callers = await seedDeviceData(server)
    })
    beforeEach(() => {
      scripted.calls = []
      scripted.outcome = { kind: 'answered', status: 200, payload: { done: true } }
      server.app.services.deviceCommands.connections = scripted
    })
    after(async () => server?.close())

    describe('authentication and authorization', () => {
      const routes = (id: string): [string, string, unknown?][] =>
        placesOf(id).flatMap(({ path, request }): [string, string, unknown?][] => [
          ['GET', path],
          ['POST', path, { request }],
        ])

      it('answers 401 without a credential and 403 without the permission on all 8 routes, running nothing', async () => {
        const before = await histories('in-us')
        for (const [method, path, body] of routes('in-us')) {
          expectError(await server.request(method, path, { auth: null, body }), 401, 'Unauthenticated')
          expectError(await server.request(method, path, { auth: callers.none, body }), 403, 'Forbidden')
          if (method === 'POST') {
            expectError(await server.request(method, path, { auth: callers.viewerUs, body }), 403, 'Forbidden')
          }
        }
        assert.deepEqual(scripted.calls, [])
        assert.deepEqual(await histories('in-us'), before)
      })

      it('answers 404 for a device out of the caller organization, running nothing', async () => {
        const before = await histories('in-eu')
        for (const [method, path, body] of routes('in-eu')) {
          expectError(await server.request(method, path, { auth: callers.operatorUs, body }), 404, 'NotFound', /in-eu/)
        }
        assert.deepEqual(scripted.calls, [])
        assert.deepEqual(await histories('in-eu'), before)
      })

      it('lets an organization operator run commands within its organization', async () => {
        for (const { path, request } of placesOf('in-us')) {
          const response = await server.request('POST', path, { auth: callers.operatorUs, body: { request } })
          assert.equal(response.status, 201, response.text)
          const read = await server.request('GET', path, { auth: callers.viewerUs })
          assert.equal(read.status, 200, read.text)
        }
      })
    })

    describe('running', () => {
      it('calls the direct method IoT Central names, answers 201 and records the run', async () => {
        for (const { path, method, module, request } of placesOf('in-us')) {
          scripted.calls = []
          const response = await server.request('POST', path, {
            body: { connectionTimeout: 10, responseTimeout: 20, ...(request === undefined ? {} : { request }) },
          })
          assert.equal(response.status, 201, response.text)
          const { id, ...rest } = response.body
          assert.match(id, /^[0-9a-f-]{36}$/)
          assert.deepEqual(rest, {
            connectionTimeout: 10,
            responseTimeout: 20,
            ...(request === undefined ? {} : { request }),
            response: { done: true },
            responseCode: 200,
          })
          assert.deepEqual(scripted.calls, [
            {
              target: { deviceId: 'in-us', module },
              method,
              payload: request ?? null,
              timeouts: { connectionTimeout: 10, responseTimeout: 20 },
            },
          ])
          const [latest] = await history(path)
          assert.deepEqual(latest, response.body)
        }
      })

      it('defaults connectionTimeout to 0 and responseTimeout to 30, and takes no body at all', async () => {
        const response = await server.request('POST', '/api/devices/in-us/modules/module_env/commands/restart')
        assert.equal(response.status, 201, response.text)
        assert.equal(response.body.connectionTimeout, 0)
        assert.equal(response.body.responseTimeout, 30)
        assert.equal('request' in response.body, false)
      })

      it('answers the device-not-online error after connectionTimeout when the device is not connected', async () => {
        const waited: number[] = []
        server.app.services.deviceCommands.connections = new NotConnectedDevices(async (ms) => {
          waited.push(ms)
        })
        const path = '/api/devices/in-us/commands/reboot'
        const response = await server.request('POST', path, { body: { connectionTimeout: 7, request: 1 } })
        expectError(response, 404, 'NotFound', /not connected.*DeviceNotOnline/)
        assert.deepEqual(waited, [7000])
        const [latest] = await history(path)
        assert.deepEqual({ ...latest, id: 'x' }, {
          id: 'x',
          connectionTimeout: 7,
          responseTimeout: 30,
          request: 1,
          responseCode: 404,
        })
      })

      it('answers immediately with the default implementation and connectionTimeout 0', async () => {
        server.app.services.deviceCommands.connections = new NotConnectedDevices()
        const response = await server.request('POST', '/api/devices/in-us/commands/reboot', { body: {} })
        expectError(response, 404, 'NotFound', /DeviceNotOnline/)
      })

      it('answers 504 when the device does not answer in time, and records it', async () => {
        scripted.outcome = { kind: 'timedOut' }
        const path = '/api/devices/in-us/components/settings/commands/coolDown'
        const response = await server.request('POST', path, { body: { responseTimeout: 5, request: 1.5 } })
        expectError(response, 504, 'GatewayTimeout', /within 5 s/)
        const [latest] = await history(path)
        assert.equal(latest?.responseCode, 504)
        assert.equal(latest?.request, 1.5)
      })

      it('pages the history most recent first', async () => {
        const path = '/api/devices/in-eu/commands/reboot'
        const ids: string[] = []
        for (const request of [1, 2, 3]) {
          server.clock.advance(1000)
          const response = await server.request('POST', path, { body: { request } })
          assert.equal(response.status, 201, response.text)
          ids.push(response.body.id)
        }
        const first = await server.request('GET', path, { query: { maxpagesize: 2 } })
        assert.equal(first.status, 200)
        assert.deepEqual(first.body.value.map((run: { id: string }) => run.id), [ids[2], ids[1]])
        assert.ok(first.body.nextLink)
        const next = new URL(first.body.nextLink)
        const second = await server.request('GET', next.pathname + next.search)
        assert.equal(second.status, 200, second.text)
        assert.deepEqual(second.body.value.map((run: { id: string }) => run.id), [ids[0]])
        assert.equal(second.body.nextLink, undefined)
      })
    })

    describe('bad input runs nothing', () => {
      const cases: [string, string, unknown, number, RegExp][] = [
        ['connectionTimeout above 30', '/api/devices/in-us/commands/reboot', { connectionTimeout: 31 }, 422, /connectionTimeout/],
        ['connectionTimeout below 0', '/api/devices/in-us/commands/reboot', { connectionTimeout: -1 }, 422, /connectionTimeout/],
        ['responseTimeout below 5', '/api/devices/in-us/commands/reboot', { responseTimeout: 4 }, 422, /responseTimeout/],
        ['responseTimeout above 30', '/api/devices/in-us/commands/reboot', { responseTimeout: 31 }, 422, /responseTimeout/],
        ['a timeout not an integer', '/api/devices/in-us/commands/reboot', { responseTimeout: 'x' }, 422, /responseTimeout/],
        ['an unknown member', '/api/devices/in-us/commands/reboot', { request: 1, priority: 1 }, 422, /priority/],
        ['a request of the wrong type', '/api/devices/in-us/commands/reboot', { request: 'soon' }, 422, /request: expected an integer/],
        ['an unknown command', '/api/devices/in-us/commands/nope', {}, 404, /command 'nope'/],
        ['a component command at device level', '/api/devices/in-us/commands/coolDown', {}, 404, /command 'coolDown'/],
        ['an unknown component', '/api/devices/in-us/components/nope/commands/coolDown', {}, 404, /component 'nope'/],
        ['an unknown module', '/api/devices/in-us/modules/nope/commands/restart', {}, 404, /module 'nope'/],
        ['an unknown device', '/api/devices/nope/commands/reboot', {}, 404, /device 'nope'/],
      ]
      for (const [name, path, body, status, message] of cases) {
        it(`${name}: ${status}`, async () => {
          const before = await histories('in-us')
          const response = await server.request('POST', path, { body })
          expectError(response, status, status === 422 ? 'UnprocessableEntity' : 'NotFound', message)
          assert.deepEqual(scripted.calls, [])
          assert.deepEqual(await histories('in-us'), before)
        })
      }

      it('answers 400 to a malformed body or continuation, and 404 to history of an unknown command', async () => {
        expectError(
          await server.request('POST', '/api/devices/in-us/commands/reboot', { rawBody: '{"request":' }),
          400,
          'BadRequest',
        )
        expectError(
          await server.request('GET', '/api/devices/in-us/commands/reboot', { query: { $skiptoken: 'garbage' } }),
          400,
          'BadRequest',
        )
        expectError(await server.request('GET', '/api/devices/in-us/commands/nope'), 404, 'NotFound', /command 'nope'/)
        assert.deepEqual(scripted.calls, [])
      })
    })
  })
}
