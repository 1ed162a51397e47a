import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'
import { acknowledgement } from '../../src/device-plane/simulator/hub-device.js'
import { sampleMessage, samplePlan, sampleValue } from '../../src/device-plane/simulator/sample-values.js'
import { deviceSas, registrationSas } from '../../src/device-plane/simulator/sas.js'
import { TEMPLATE } from '../helpers/device-data.js'

const KEY = Buffer.alloc(32, 9).toString('base64')
const fields = (sas: string) => new URLSearchParams(sas.replace(/^SharedAccessSignature /, ''))
const sign = (text: string) => createHmac('sha256', Buffer.from(KEY, 'base64')).update(text).digest('base64')

describe('simulator: what a device sends', () => {
  it('signs for IoT Hub over the URL-encoded sr, and for DPS over the raw one with skn=registration', () => {
    const now = Date.UTC(2026, 0, 1)
    const hub = deviceSas('hub.example.com', 'dev 1', KEY, now)
    const raw = hub.replace(/^SharedAccessSignature /, '')
    assert.ok(raw.startsWith('sr=hub.example.com%2Fdevices%2Fdev%201&'), raw)
    assert.equal(fields(hub).get('se'), String(now / 1000 + 3600))
    assert.equal(fields(hub).get('skn'), null)
    assert.equal(fields(hub).get('sig'), sign(`hub.example.com%2Fdevices%2Fdev%201\n${now / 1000 + 3600}`))

    const dps = registrationSas('0ne00000001', 'dev-1', KEY, now)
    assert.ok(dps.startsWith('SharedAccessSignature sr=0ne00000001/registrations/dev-1&'), dps)
    assert.equal(fields(dps).get('skn'), 'registration')
    assert.equal(fields(dps).get('sig'), sign(`0ne00000001/registrations/dev-1\n${now / 1000 + 3600}`))
  })

  it('acknowledges desired values at their version, a component’s inside its wrapper, skipping those already acknowledged', () => {
    const desired = { fanSpeed: 3, settings: { __t: 'c', voltage: 12, mode: { name: 'eco' } }, $version: 7 }
    assert.deepEqual(acknowledgement(desired, 7, {}), {
      fanSpeed: { value: 3, ac: 200, av: 7, ad: 'completed' },
      settings: {
        __t: 'c',
        voltage: { value: 12, ac: 200, av: 7, ad: 'completed' },
        mode: { value: { name: 'eco' }, ac: 200, av: 7, ad: 'completed' },
      },
    })
    const reported = { fanSpeed: { value: 3, av: 7 }, settings: { __t: 'c', voltage: { value: 12, av: 7 }, mode: { av: 6 } } }
    assert.deepEqual(acknowledgement(desired, 7, reported), {
      settings: { __t: 'c', mode: { value: { name: 'eco' }, ac: 200, av: 7, ad: 'completed' } },
    })
  })

  it('sends values fitting the template: its telemetry per component, its read-only properties', () => {
    const plan = samplePlan(TEMPLATE)
    assert.deepEqual([...plan.telemetry.keys()], [null, 'settings'])
    const message = sampleMessage(plan.telemetry.get(null)!)
    assert.deepEqual(Object.keys(message), ['temperature'])
    assert.equal(typeof message.temperature, 'number')
    assert.deepEqual(plan.properties.get(null)?.map((p) => p.name), ['manufacturer', 'serialNumber'])
    assert.ok([1, 2].includes(sampleValue({ '@type': 'Enum', valueSchema: 'integer', enumValues: [{ enumValue: 1 }, { enumValue: 2 }] }) as number))
    const object = sampleValue({ '@type': 'Object', fields: [{ name: 'name', schema: 'string' }, { name: 'level', schema: 'integer' }] })
    assert.deepEqual(Object.keys(object as object), ['name', 'level'])
    assert.equal(Number.isInteger((object as { level: number }).level), true)
    assert.deepEqual([...samplePlan(undefined).telemetry.get(null)!.map((t) => t.name)], ['temperature', 'humidity'])
  })
})
