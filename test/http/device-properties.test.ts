import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AppError } from '../../src/errors/app-error.js'
import type { DesiredPropertiesChange } from '../../src/services/device-properties.service.js'
import { createDevice, seedDeviceData, type Callers } from '../helpers/device-data.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, startServer, type TestServer } from '../helpers/server.js'

/** The four property paths of a device, with a valid PATCH/PUT body for each. */
const placesOf = (id: string): [string, Record<string, unknown>][] => [
  [`/api/devices/${id}/properties`, { fanSpeed: 10 }],
  [`/api/devices/${id}/components/settings/properties`, { voltage: 3 }],
  [`/api/devices/${id}/modules/module_env/properties`, { interval: 5 }],
  [`/api/devices/${id}/modules/module_env/components/componentA/properties`, { SensitivityDial: 7 }],
]

const isAppError = (status: number, message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof AppError, String(error))
  assert.equal(error.status, status)
  assert.match(error.message, message)
  return true
}

for (const dialect of DIALECTS) {
  describe(`device properties (${dialect})`, () => {
    let server: TestServer
    let callers: Callers
    const changes: DesiredPropertiesChange[] = []

    const snapshot = async (id: string) => {
      const views: unknown[] = []
      for (const [path] of placesOf(id)) {
        const response = await server.request('GET', path)
        assert.equal(response.status, 200, response.text)
        views.push(response.body)
      }
      return views
    }

    before(async () => {
      server = await startServer(dialect)
      callers = await seedDeviceData(server)
      server.app.services.deviceProperties.onDesiredPropertiesChange((change) => changes.push(change))
    })
    after(async () => server?.close())

    describe('authentication and authorization', () => {
      const routes = (id: string): [string, string, unknown?][] =>
        placesOf(id).flatMap(([path, body]): [string, string, unknown?][] => [
          ['GET', path],
          ['PUT', path, body],
          ['PATCH', path, body],
        ])

      it('answers 401 without a credential on all 12 routes, and changes nothing', async () => {
        const before = await snapshot('in-us')
        for (const [method, path, body] of routes('in-us')) {
          expectError(await server.request(method, path, { auth: null, body }), 401, 'Unauthenticated')
        }
        assert.deepEqual(await snapshot('in-us'), before)
      })

      it('answers 403 to a caller without devices.read or devices.update, and changes nothing', async () => {
        const before = await snapshot('in-us')
        for (const [method, path, body] of routes('in-us')) {
          expectError(await server.request(method, path, { auth: callers.none, body }), 403, 'Forbidden')
          if (method !== 'GET') {
            expectError(
              await server.request(method, path, { auth: callers.viewerUs, body }),
              403,
              'Forbidden',
            )
          }
        }
        assert.deepEqual(await snapshot('in-us'), before)
      })

      it('answers 404 for a device out of the caller organization, and changes nothing', async () => {
        const before = await snapshot('in-eu')
        for (const [method, path, body] of routes('in-eu')) {
          expectError(
            await server.request(method, path, { auth: callers.operatorUs, body }),
            404,
            'NotFound',
            /in-eu/,
          )
          if (method === 'GET') {
            expectError(await server.request(method, path, { auth: callers.viewerUs }), 404, 'NotFound')
          }
        }
        assert.deepEqual(await snapshot('in-eu'), before)
      })

      it('lets an organization caller read and write within its organization', async () => {
        for (const [path, body] of placesOf('in-us')) {
          const read = await server.request('GET', path, { auth: callers.viewerUs })
          assert.equal(read.status, 200, read.text)
          const write = await server.request('PATCH', path, { auth: callers.operatorUs, body })
          assert.equal(write.status, 202, write.text)
        }
      })
    })

    describe('reading and writing', () => {
      it('answers {} for a device whose properties were never set', async () => {
        await createDevice(server, 'fresh')
        for (const [path] of placesOf('fresh')) {
          const response = await server.request('GET', path)
          assert.equal(response.status, 200, response.text)
          assert.deepEqual(response.body, {})
        }
      })

      it('PATCH at device level answers 202 with the desired values of a component', async () => {
        await createDevice(server, 'mx1')
        changes.length = 0
        const response = await server.request('PATCH', '/api/devices/mx1/properties', {
          body: { settings: { voltage: 25, current: 7 } },
        })
        assert.equal(response.status, 202, response.text)
        const version = response.body.settings.$metadata.voltage.desiredVersion
        assert.equal(typeof version, 'number')
        assert.deepEqual(response.body, {
          settings: {
            __t: 'c',
            $metadata: {
              voltage: { desiredValue: 25, desiredVersion: version },
              current: { desiredValue: 7, desiredVersion: version },
            },
          },
        })
        assert.deepEqual(changes, [
          {
            deviceId: 'mx1',
            module: null,
            version,
            patch: { settings: { __t: 'c', voltage: 25, current: 7 } },
          },
        ])
      })

      it('stores cloud properties as final values with their update time', async () => {
        changes.length = 0
        const response = await server.request('PATCH', '/api/devices/mx1/properties', {
          body: { status: 2, location: 'Lab', deviceinfo: { owner: 'Ana' } },
        })
        assert.equal(response.status, 202, response.text)
        const time = response.body.$metadata.status.lastUpdateTime
        assert.ok(!Number.isNaN(Date.parse(time)))
        assert.deepEqual(response.body, {
          status: 2,
          location: 'Lab',
          $metadata: { status: { lastUpdateTime: time }, location: { lastUpdateTime: time } },
          deviceinfo: { __t: 'c', owner: 'Ana', $metadata: { owner: { lastUpdateTime: time } } },
        })
        assert.deepEqual(changes, [], 'cloud properties are never sent to the device')
      })

      it('GET answers every set property, components wrapped, never-set ones left out', async () => {
        const response = await server.request('GET', '/api/devices/mx1/properties')
        assert.equal(response.status, 200, response.text)
        const { body } = response
        assert.deepEqual(Object.keys(body).sort(), ['$metadata', 'deviceinfo', 'location', 'settings', 'status'])
        assert.equal(body.settings.__t, 'c')
        assert.equal(body.settings.$metadata.voltage.desiredValue, 25)
        assert.equal('fanSpeed' in body, false)
        const component = await server.request('GET', '/api/devices/mx1/components/settings/properties')
        assert.equal(component.status, 200)
        const { __t, ...inner } = body.settings
        assert.equal(__t, 'c')
        assert.deepEqual(component.body, inner)
      })

      it('PUT on a component replaces: writable properties left out are withdrawn', async () => {
        changes.length = 0
        const response = await server.request('PUT', '/api/devices/mx1/components/settings/properties', {
          body: { voltage: 5, note: 'checked' },
        })
        assert.equal(response.status, 202, response.text)
        assert.equal(response.body.$metadata.voltage.desiredValue, 5)
        assert.equal(response.body.note, 'checked')
        const read = await server.request('GET', '/api/devices/mx1/components/settings/properties')
        assert.deepEqual(Object.keys(read.body.$metadata).sort(), ['note', 'voltage'])
        assert.equal(changes.length, 1)
        assert.deepEqual(changes[0]?.patch, { settings: { __t: 'c', voltage: 5, current: null } })
      })

      it('counts the desired version up with every change', async () => {
        const first = await server.request('PATCH', '/api/devices/mx1/properties', { body: { fanSpeed: 1 } })
        const second = await server.request('PATCH', '/api/devices/mx1/properties', { body: { fanSpeed: 2 } })
        assert.equal(first.status, 202)
        assert.equal(second.status, 202)
        assert.equal(
          second.body.$metadata.fanSpeed.desiredVersion,
          first.body.$metadata.fanSpeed.desiredVersion + 1,
        )
        const document = await server.app.services.deviceProperties.desiredDocument('mx1', null)
        assert.equal(document.version, second.body.$metadata.fanSpeed.desiredVersion)
        assert.deepEqual(document.desired, { fanSpeed: 2, settings: { __t: 'c', voltage: 5 } })
      })

      it('PATCH null withdraws a desired value', async () => {
        const response = await server.request('PATCH', '/api/devices/mx1/properties', { body: { fanSpeed: null } })
        assert.equal(response.status, 202, response.text)
        const read = await server.request('GET', '/api/devices/mx1/properties')
        assert.equal('fanSpeed' in read.body.$metadata, false)
      })

      it('shows what the device reports, with its acknowledgement, beside the desired value', async () => {
        const at = Date.parse('2020-04-27T22:08:55.114Z')
        const desired = await server.app.services.deviceProperties.desiredDocument('mx1', null)
        await server.app.services.deviceProperties.applyReported(
          'mx1',
          null,
          {
            serialNumber: 'SN-1',
            settings: { __t: 'c', voltage: { value: 5, ac: 200, av: desired.version, ad: 'Processed' } },
            deviceinfo: { __t: 'c', manufacturer: 'Contoso' },
          },
          at,
        )
        const read = await server.request('GET', '/api/devices/mx1/properties')
        assert.equal(read.body.serialNumber, 'SN-1')
        assert.deepEqual(read.body.$metadata.serialNumber, { lastUpdateTime: '2020-04-27T22:08:55.114Z' })
        assert.equal(read.body.settings.voltage, 5)
        assert.deepEqual(read.body.settings.$metadata.voltage, {
          desiredValue: 5,
          desiredVersion: read.body.settings.$metadata.voltage.desiredVersion,
          ackCode: 200,
          ackVersion: desired.version,
          ackDescription: 'Processed',
          lastUpdateTime: '2020-04-27T22:08:55.114Z',
        })
        assert.equal(read.body.deviceinfo.manufacturer, 'Contoso')
      })

      it('writes module and module-component properties, each module with its own version', async () => {
        changes.length = 0
        const moduleWrite = await server.request('PATCH', '/api/devices/mx1/modules/module_env/properties', {
          body: { interval: 10, componentA: { SensitivityDial: 200 } },
        })
        assert.equal(moduleWrite.status, 202, moduleWrite.text)
        assert.equal(moduleWrite.body.$metadata.interval.desiredValue, 10)
        assert.equal(moduleWrite.body.componentA.$metadata.SensitivityDial.desiredValue, 200)
        assert.deepEqual(changes[0], {
          deviceId: 'mx1',
          module: 'module_env',
          version: moduleWrite.body.$metadata.interval.desiredVersion,
          patch: { interval: 10, componentA: { __t: 'c', SensitivityDial: 200 } },
        })
        const component = await server.request(
          'PUT',
          '/api/devices/mx1/modules/module_env/components/componentA/properties',
          { body: { SensitivityDial: 300 } },
        )
        assert.equal(component.status, 202, component.text)
        const read = await server.request('GET', '/api/devices/mx1/modules/module_env/properties')
        assert.equal(read.body.componentA.$metadata.SensitivityDial.desiredValue, 300)
        assert.equal(read.body.$metadata.interval.desiredValue, 10)
        const device = await server.request('GET', '/api/devices/mx1/properties')
        assert.equal('interval' in device.body.$metadata, false, 'module properties stay in the module')
      })
    })

    describe('bad input changes nothing', () => {
      const cases: [string, string, unknown, number, RegExp][] = [
        ['read-only property', '/api/devices/mx1/properties', { fanSpeed: 3, serialNumber: 'x' }, 422, /serialNumber: is read-only/],
        ['unknown property', '/api/devices/mx1/properties', { fanSpeed: 3, nope: 1 }, 422, /nope: is not a property/],
        ['wrong schema', '/api/devices/mx1/properties', { fanSpeed: 'fast' }, 422, /fanSpeed: expected a number/],
        ['enum value not declared', '/api/devices/mx1/properties', { status: 3 }, 422, /status: expected one of 1, 2/],
        ['component read-only', '/api/devices/mx1/properties', { settings: { voltage: 1, firmware: 'v2' } }, 422, /settings\.firmware: is read-only/],
        ['component not an object', '/api/devices/mx1/properties', { settings: 5 }, 422, /settings: a component's properties must be an object/],
        ['object field unknown', '/api/devices/mx1/components/settings/properties', { mode: { name: 'a', speed: 1 } }, 422, /settings\.mode: 'speed' is not a field/],
        ['object field type', '/api/devices/mx1/components/settings/properties', { mode: { level: 1.5 } }, 422, /settings\.mode: level: expected an integer/],
        ['module property type', '/api/devices/mx1/modules/module_env/properties', { interval: 1.5 }, 422, /interval: expected an integer/],
        ['module component read-only', '/api/devices/mx1/modules/module_env/components/componentA/properties', { Status: 1 }, 422, /componentA\.Status: is read-only/],
        ['unknown component', '/api/devices/mx1/components/nope/properties', { a: 1 }, 404, /component 'nope'/],
        ['unknown module', '/api/devices/mx1/modules/nope/properties', { a: 1 }, 404, /module 'nope'/],
        ['unknown device', '/api/devices/nope/properties', { fanSpeed: 1 }, 404, /device 'nope'/],
        ['body not an object', '/api/devices/mx1/properties', [1, 2], 422, /body/],
      ]
      for (const [name, path, body, status, message] of cases) {
        it(`${name}: ${status} on PUT and PATCH`, async () => {
          const before = await snapshot('mx1')
          for (const method of ['PUT', 'PATCH']) {
            const response = await server.request(method, path, { body })
            expectError(response, status, status === 422 ? 'UnprocessableEntity' : 'NotFound', message)
          }
          assert.deepEqual(await snapshot('mx1'), before)
        })
      }

      it('answers 400 to a malformed body and 404 to GET of an unknown component or module', async () => {
        const before = await snapshot('mx1')
        expectError(
          await server.request('PATCH', '/api/devices/mx1/properties', { rawBody: '{"fanSpeed":' }),
          400,
          'BadRequest',
        )
        expectError(await server.request('GET', '/api/devices/mx1/components/nope/properties'), 404, 'NotFound')
        expectError(await server.request('GET', '/api/devices/mx1/modules/nope/properties'), 404, 'NotFound')
        assert.deepEqual(await snapshot('mx1'), before)
      })
    })

    describe('writeCloudProperties (system writes)', () => {
      it('sets cloud properties of the root and of a component', async () => {
        await createDevice(server, 'cloud-1')
        const service = server.app.services.deviceProperties
        await service.writeCloudProperties('cloud-1', null, { status: 1, location: 'Roof' })
        await service.writeCloudProperties('cloud-1', 'settings', { note: 'n' })
        const read = await server.request('GET', '/api/devices/cloud-1/properties')
        assert.equal(read.body.status, 1)
        assert.equal(read.body.location, 'Roof')
        assert.equal(read.body.settings.note, 'n')
      })

      it('refuses what is not a cloud property, a wrong value or an unknown device, writing nothing', async () => {
        const service = server.app.services.deviceProperties
        const before = await snapshot('cloud-1')
        await assert.rejects(service.writeCloudProperties('cloud-1', null, { location: 'x', fanSpeed: 1 }), isAppError(422, /^fanSpeed: is not a cloud property/))
        await assert.rejects(service.writeCloudProperties('cloud-1', null, { location: 'x', status: 9 }), isAppError(422, /^status: expected one of/))
        await assert.rejects(service.writeCloudProperties('cloud-1', 'settings', { voltage: 1 }), isAppError(422, /^settings\.voltage: is not a cloud property/))
        await assert.rejects(service.writeCloudProperties('cloud-1', 'nope', { a: 1 }), isAppError(422, /^nope\.a:/))
        await assert.rejects(service.writeCloudProperties('nope', null, { status: 1 }), isAppError(404, /device 'nope'/))
        assert.deepEqual(await snapshot('cloud-1'), before)
      })

      it("forgets a device's properties when the device is deleted", async () => {
        const removed = await server.request('DELETE', '/api/devices/cloud-1')
        assert.equal(removed.status, 204)
        await createDevice(server, 'cloud-1')
        const read = await server.request('GET', '/api/devices/cloud-1/properties')
        assert.deepEqual(read.body, {})
      })
    })
  })
}
