import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { cliInProcess } from '../helpers/cli-in-process.js'
import { createStore, type TestStore } from '../helpers/cli-store.js'
import { DIALECTS } from '../helpers/dialects.js'

const derive = (groupKey: string, deviceId: string) =>
  createHmac('sha256', Buffer.from(groupKey, 'base64')).update(deviceId, 'utf8').digest('base64')

const cli = cliInProcess

describe('CLI: devices compute-key (no store)', () => {
  it('prints only the derived key for --primary-key', async () => {
    const groupKey = Buffer.alloc(64, 42).toString('base64')
    const result = await cli(['devices', 'compute-key', '--device-id', 'thermostat-1', '--primary-key', groupKey])
    assert.equal(result.code, 0, result.stderr.join('\n'))
    assert.deepEqual(result.stdout, [derive(groupKey, 'thermostat-1')])
    assert.deepEqual(result.stderr, [])
  })

  it('is misused without --device-id, with both or neither key source, or with a bad key', async () => {
    const key = Buffer.alloc(32, 1).toString('base64')
    for (const args of [
      ['--primary-key', key],
      ['--device-id', 'd'],
      ['--device-id', 'd', '--primary-key', key, '--group', 'SAS-IoT-Devices'],
      ['--device-id', 'd', '--primary-key', 'not base64'],
      ['--device-id', 'd', '--primary-key', key, 'extra'],
    ]) {
      const result = await cli(['devices', 'compute-key', ...args])
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr.join('\n')}`)
      assert.deepEqual(result.stdout, [])
      assert.ok(!result.stderr.join('\n').includes('not base64'), 'the key is not echoed')
    }
  })
})

for (const dialect of DIALECTS) {
  describe(`CLI: devices compute-key --group (${dialect})`, () => {
    let store: TestStore
    beforeEach(async () => {
      store = await createStore(dialect)
    })
    afterEach(async () => store?.remove())

    it("reads the group's primary key from the store, as GET of the group shows it", async () => {
      const keys = await store.services((s) => s.enrollmentGroups.get(null, 'SAS-IoT-Devices'))
      assert.equal(keys.attestation.type, 'symmetricKey')
      const groupKey = (keys.attestation as { symmetricKey: { primaryKey: string } }).symmetricKey.primaryKey
      const result = await cli(['devices', 'compute-key', '--device-id', 'dev-1', '--group', 'SAS-IoT-Devices', ...store.flags])
      assert.equal(result.code, 0, result.stderr.join('\n'))
      assert.deepEqual(result.stdout, [derive(groupKey, 'dev-1')])
      const credentials = await store.services((s) => s.provisioning.deviceCredentials('dev-1'))
      assert.equal(credentials, null, 'no device, no credentials')
    })

    it('fails for an unknown group and for an X.509 group', async () => {
      await store.services((s) =>
        s.enrollmentGroups.put(null, 'certs', { displayName: 'Certs', type: 'iot', attestation: { type: 'x509' } }),
      )
      for (const [group, message] of [
        ['no-such-group', /enrollment group 'no-such-group' was not found/],
        ['certs', /uses X\.509 certificates/],
      ] as const) {
        const result = await cli(['devices', 'compute-key', '--device-id', 'dev-1', '--group', group, ...store.flags])
        assert.equal(result.code, 1)
        assert.deepEqual(result.stdout, [])
        assert.match(result.stderr.join('\n'), message)
      }
    })
  })
}
