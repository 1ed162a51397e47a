import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createDevice, seedDeviceData, type Callers } from '../helpers/device-data.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, startServer, type TestServer } from '../helpers/server.js'

/** The four telemetry paths of a device and where each reads from. */
const placesOf = (id: string) =>
  [
    { path: `/api/devices/${id}/telemetry/temperature`, target: { module: null, component: null }, name: 'temperature' },
    { path: `/api/devices/${id}/components/settings/telemetry/load`, target: { module: null, component: 'settings' }, name: 'load' },
    { path: `/api/devices/${id}/modules/module_env/telemetry/ambient`, target: { module: 'module_env', component: null }, name: 'ambient' },
    {
      path: `/api/devices/${id}/modules/module_env/components/componentA/telemetry/humidity`,
      target: { module: 'module_env', component: 'componentA' },
      name: 'humidity',
    },
  ] as const

for (const dialect of DIALECTS) {
  describe(`device telemetry (${dialect})`, () => {
    let server: TestServer
    let callers: Callers

    const record = async (id: string, value: number, at: number) => {
      for (const place of placesOf(id)) {
        await server.app.services.deviceTelemetry.record(id, place.target, { [place.name]: value }, at)
      }
    }

    before(async () => {
      server = await startServer(dialect)
      callers = await seedDeviceData(server)
      await record('in-us', 1, Date.parse('2021-05-04T21:59:39.153Z'))
      await record('in-eu', 2, Date.parse('2021-05-04T21:59:39.153Z'))
    })
    after(async () => server?.close())

    it('answers 401 without a credential and 403 without devices.read on all 4 routes', async () => {
      for (const { path } of placesOf('in-us')) {
        expectError(await server.request('GET', path, { auth: null }), 401, 'Unauthenticated')
        expectError(await server.request('GET', path, { auth: callers.none }), 403, 'Forbidden')
      }
    })

    it('answers 404 for a device out of the caller organization', async () => {
      for (const { path } of placesOf('in-eu')) {
        expectError(await server.request('GET', path, { auth: callers.viewerUs }), 404, 'NotFound', /in-eu/)
      }
      for (const { path } of placesOf('in-us')) {
        const response = await server.request('GET', path, { auth: callers.viewerUs })
        assert.equal(response.status, 200, response.text)
      }
    })

    it('answers the last value and its timestamp on all 4 routes', async () => {
      for (const { path } of placesOf('in-us')) {
        const response = await server.request('GET', path)
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, { value: 1, timestamp: '2021-05-04T21:59:39.153Z' })
      }
    })

    it('keeps the latest value: an older message does not overwrite a newer one', async () => {
      await createDevice(server, 'tel-order')
      const service = server.app.services.deviceTelemetry
      const target = { module: null, component: null }
      await service.record('tel-order', target, { temperature: { a: [1, 2] } }, Date.parse('2024-01-01T00:00:02Z'))
      await service.record('tel-order', target, { temperature: 5 }, Date.parse('2024-01-01T00:00:01Z'))
      const response = await server.request('GET', '/api/devices/tel-order/telemetry/temperature')
      assert.deepEqual(response.body, { value: { a: [1, 2] }, timestamp: '2024-01-01T00:00:02.000Z' })
      await service.record('tel-order', target, { temperature: 6 }, Date.parse('2024-01-01T00:00:03Z'))
      const later = await server.request('GET', '/api/devices/tel-order/telemetry/temperature')
      assert.deepEqual(later.body, { value: 6, timestamp: '2024-01-01T00:00:03.000Z' })
    })

    it('answers 404 while no value has been received', async () => {
      await createDevice(server, 'tel-none')
      for (const { path, name } of placesOf('tel-none')) {
        expectError(await server.request('GET', path), 404, 'NotFound', new RegExp(`telemetry '${name}'.*none has been received`))
      }
    })

    it('answers 404 for a telemetry, component, module or device the template does not declare', async () => {
      const cases: [string, RegExp][] = [
        ['/api/devices/in-us/telemetry/nope', /telemetry 'nope'/],
        ['/api/devices/in-us/telemetry/load', /telemetry 'load'/],
        ['/api/devices/in-us/components/settings/telemetry/temperature', /telemetry 'temperature' of the component 'settings'/],
        ['/api/devices/in-us/components/nope/telemetry/load', /component 'nope'/],
        ['/api/devices/in-us/modules/nope/telemetry/ambient', /module 'nope'/],
        ['/api/devices/in-us/modules/module_env/components/nope/telemetry/humidity', /component 'nope'/],
        ['/api/devices/nope/telemetry/temperature', /device 'nope'/],
      ]
      for (const [path, message] of cases) {
        expectError(await server.request('GET', path), 404, 'NotFound', message)
      }
    })

    it("forgets a device's telemetry when the device is deleted", async () => {
      assert.equal((await server.request('DELETE', '/api/devices/tel-order')).status, 204)
      await createDevice(server, 'tel-order')
      expectError(await server.request('GET', '/api/devices/tel-order/telemetry/temperature'), 404, 'NotFound')
    })
  })
}
