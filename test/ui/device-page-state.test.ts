import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { deviceCapabilities } from '../../ui/src/pages/device/device-capabilities.js'
import {
  acknowledgementOf,
  propertyPatch,
  propertyStates,
  typedValue,
} from '../../ui/src/pages/device/property-state.js'
import { TEMPLATE, TEMPLATE_ID } from '../helpers/device-data.js'

const template = { '@id': TEMPLATE_ID, ...TEMPLATE }

describe('device page: what the template declares and where each property stands', () => {
  it('reads the device’s own capabilities and its components’, referenced interfaces resolved, modules left out', () => {
    const found = deviceCapabilities(template)
    const names = (list: { component: string | null; name: string }[]) =>
      list.map((entry) => (entry.component ? `${entry.component}.${entry.name}` : entry.name))
    assert.deepEqual(names(found.telemetry), ['temperature', 'settings.load'])
    assert.deepEqual(names(found.commands), ['reboot', 'settings.coolDown'])
    assert.ok(names(found.properties).includes('deviceinfo.manufacturer'))
    assert.ok(!names(found.properties).includes('interval'), 'a module’s property is not the device’s')
    const fan = found.properties.find((entry) => entry.name === 'fanSpeed')
    assert.deepEqual([fan?.writable, fan?.cloud], [true, false])
    assert.equal(found.commands[0]?.request, 'integer')
    assert.deepEqual(deviceCapabilities(undefined), { properties: [], telemetry: [], commands: [] })
  })

  it('tells pending, accepted and rejected apart by the acknowledged version', () => {
    assert.deepEqual(acknowledgementOf({}), { state: 'none' })
    assert.deepEqual(acknowledgementOf({ desiredValue: 1, desiredVersion: 3 }), { state: 'pending', version: 3 })
    assert.deepEqual(
      acknowledgementOf({ desiredValue: 1, desiredVersion: 3, ackCode: 200, ackVersion: 2 }),
      { state: 'pending', version: 3 },
      'an answer to an older version does not answer the newer one',
    )
    assert.deepEqual(acknowledgementOf({ desiredValue: 1, desiredVersion: 3, ackCode: 200, ackVersion: 3 }), {
      state: 'accepted',
      code: 200,
      version: 3,
    })
    assert.deepEqual(
      acknowledgementOf({ desiredValue: 1, desiredVersion: 3, ackCode: 500, ackVersion: 4, ackDescription: 'no' }),
      { state: 'rejected', code: 500, version: 4, description: 'no' },
    )
  })

  it('finds a component’s values under its name, and wraps a component’s property in a PATCH', () => {
    const { properties } = deviceCapabilities(template)
    const voltage = properties.find((entry) => entry.component === 'settings' && entry.name === 'voltage')!
    const [state] = propertyStates([voltage], {
      settings: { __t: 'c', voltage: 10, $metadata: { voltage: { desiredValue: 12, desiredVersion: 2 } } },
    })
    assert.equal(state?.reported, 10)
    assert.deepEqual(state?.acknowledgement, { state: 'pending', version: 2 })
    assert.deepEqual(propertyPatch(voltage, 12), { settings: { voltage: 12 } })
    const fan = properties.find((entry) => entry.name === 'fanSpeed')!
    assert.deepEqual(propertyPatch(fan, 1.5), { fanSpeed: 1.5 })
  })

  it('takes text as it is for a string, JSON otherwise, and says so when it is not JSON', () => {
    assert.equal(typedValue('string', '42'), '42')
    assert.equal(typedValue('double', '42'), 42)
    assert.deepEqual(typedValue({ '@type': 'Object' }, '{"a":1}'), { a: 1 })
    assert.throws(() => typedValue('integer', 'forty'), /not a valid value/)
  })
})
