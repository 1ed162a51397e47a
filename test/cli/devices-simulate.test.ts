import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { freePort } from '../helpers/cli.js'
import { cliInProcess } from '../helpers/cli-in-process.js'
import { createStore, type TestStore } from '../helpers/cli-store.js'
import { TEMPLATE, TEMPLATE_ID } from '../helpers/device-data.js'
import { DIALECTS } from '../helpers/dialects.js'

const cli = cliInProcess

describe('CLI: devices simulate (misuse)', () => {
  it('refuses a missing or bad count, bad numbers, and two key sources, never echoing a key', async () => {
    const key = Buffer.alloc(32, 7).toString('base64')
    for (const args of [
      [],
      ['0'],
      ['ten'],
      ['2', '3'],
      ['2', '--interval', '0'],
      ['2', '--connects-per-second', 'fast'],
      ['2', '--key', key, '--group', 'SAS-IoT-Devices'],
      ['2', '--key', 'not base64'],
    ]) {
      const result = await cli(['devices', 'simulate', ...args])
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr.join('\n')}`)
      assert.deepEqual(result.stdout, [])
      const said = result.stderr.join('\n')
      assert.ok(!said.includes(key) && !said.includes('not base64'), 'the key is not echoed')
    }
  })
})

for (const dialect of DIALECTS) {
  describe(`CLI: devices simulate with no device endpoint (${dialect})`, () => {
    let store: TestStore
    beforeEach(async () => {
      store = await createStore(dialect)
    })
    afterEach(async () => store?.remove())

    it('finds no DPS over MQTT nor HTTPS, creates the devices to connect directly, reports each failure and exits 1', async () => {
      await store.services((s) => s.deviceTemplates.put(null, TEMPLATE_ID, TEMPLATE))
      const groupKey = (await store.services((s) => s.enrollmentGroups.symmetricKeys('SAS-IoT-Devices'))).primaryKey
      // A port nothing listens on: neither DPS nor the hub answers.
      const port = await freePort()
      const result = await cli([
        'devices', 'simulate', '2', '--id-prefix', 'sim-test-', '--template', TEMPLATE_ID,
        '--host', '127.0.0.1', '--mqtt-port', String(port), '--dps-url', `https://127.0.0.1:${port}`,
        '--duration', '1', ...store.flags,
      ])
      assert.equal(result.code, 1, result.stderr.join('\n'))
      const said = result.stderr.join('\n')
      assert.match(said, new RegExp(`No device provisioning over MQTT at 127\\.0\\.0\\.1:${port}`))
      assert.match(said, new RegExp(`No device provisioning over HTTPS at https://127\\.0\\.0\\.1:${port}`))
      assert.match(said, /Connecting directly to .* \(2 devices created\)/)
      assert.match(said, /sim-test-1: .*ECONNREFUSED/)
      assert.match(result.stdout.join('\n'), /^0 devices connected \(2 failed, 0 dropped\)/)
      assert.ok(!`${said}${result.stdout.join('')}`.includes(groupKey), 'the group key is never printed')
      for (const id of ['sim-test-1', 'sim-test-2']) {
        const device = await store.services((s) => s.devices.get(null, id))
        assert.equal(device.template, TEMPLATE_ID)
      }
    })

    it('names an enrollment group that does not exist', async () => {
      const result = await cli(['devices', 'simulate', '1', '--group', 'no-such-group', '--duration', '1', ...store.flags])
      assert.notEqual(result.code, 0)
      assert.match(result.stderr.join('\n'), /no-such-group/)
    })
  })
}
