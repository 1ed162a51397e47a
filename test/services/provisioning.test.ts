import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { loadConfig } from '../../src/config/load.js'
import { openStore } from '../../src/storage/open-store.js'
import { createStore, type TestStore } from '../helpers/cli-store.js'
import { DIALECTS } from '../helpers/dialects.js'
import { createCa, issue } from '../helpers/x509-chain.js'

const derive = (groupKey: string, deviceId: string) =>
  createHmac('sha256', Buffer.from(groupKey, 'base64')).update(deviceId, 'utf8').digest('base64')

for (const dialect of DIALECTS) {
  describe(`provisioning for the device plane (${dialect})`, () => {
    let store: TestStore
    beforeEach(async () => {
      store = await createStore(dialect)
    })
    afterEach(async () => store?.remove())

    it('makes the ID scope and the default groups once, also for a store made before them', async () => {
      const scope = await store.services((s) => s.provisioning.idScope())
      assert.match(scope, /^0ne[0-9A-F]{8}$/)
      // A default group deleted stays deleted; the scope stays the same.
      await store.services((s) => s.enrollmentGroups.delete(null, 'SAS-IoT-Edge-Devices'))
      const again = await store.services(async (s) => ({
        scope: await s.provisioning.idScope(),
        groups: (await s.enrollmentGroups.list(null, { after: null, limit: 10 })).items.map((g) => g.id),
      }))
      assert.deepEqual(again, { scope, groups: ['SAS-IoT-Devices'] })
      // A store from before provisioning: no scope, no groups.
      await store.services((s) => s.enrollmentGroups.delete(null, 'SAS-IoT-Devices'))
      const raw = await openStore(
        loadConfig({ flags: { data: store.dataDir, ...(store.databaseUrl ? { database: store.databaseUrl } : {}) }, env: {} }),
      )
      try {
        await raw.db.deleteFrom('provisioning_settings').execute()
      } finally {
        await raw.close()
      }
      const upgraded = await store.services(async (s) => ({
        scope: await s.provisioning.idScope(),
        groups: (await s.enrollmentGroups.list(null, { after: null, limit: 10 })).items.map((g) => [g.id, g.type]),
      }))
      assert.match(upgraded.scope, /^0ne[0-9A-F]{8}$/)
      assert.deepEqual(upgraded.groups, [
        ['SAS-IoT-Devices', 'iot'],
        ['SAS-IoT-Edge-Devices', 'iotEdge'],
      ])
    })

    it('finds the group that admits a symmetric-key registration, enabled groups only', async () => {
      await store.services(async (s) => {
        const group = await s.enrollmentGroups.get(null, 'SAS-IoT-Devices')
        const keys = (group.attestation as { symmetricKey: { primaryKey: string; secondaryKey: string } }).symmetricKey
        const bySecondary = await s.provisioning.groupForRegistration('dev-9', {
          type: 'symmetricKey',
          accepts: (key) => key === derive(keys.secondaryKey, 'dev-9'),
        })
        assert.deepEqual(bySecondary, { id: 'SAS-IoT-Devices', type: 'iot' })
        const wrong = await s.provisioning.groupForRegistration('dev-9', {
          type: 'symmetricKey',
          accepts: (key) => key === derive(keys.primaryKey, 'dev-8'),
        })
        assert.equal(wrong, null)
        await s.enrollmentGroups.patch(null, 'SAS-IoT-Devices', { enabled: false })
        const disabled = await s.provisioning.groupForRegistration('dev-9', {
          type: 'symmetricKey',
          accepts: (key) => key === derive(keys.primaryKey, 'dev-9'),
        })
        assert.equal(disabled, null)
      })
    })

    it('finds the X.509 group whose verified certificate signed the chain', async () => {
      const root = await createCa('Root')
      const stranger = await createCa('Stranger')
      const leaf = await issue('dev-x', root)
      await store.services(async (s) => {
        await s.enrollmentGroups.put(null, 'edge-certs', {
          displayName: 'Edge certs',
          type: 'iotEdge',
          attestation: { type: 'x509' },
        })
        await s.enrollmentGroups.putCertificate(null, 'edge-certs', 'primary', { certificate: root.pem })
        const proof = { type: 'x509' as const, chain: [leaf.pem] }
        assert.equal(await s.provisioning.groupForRegistration('dev-x', proof), null, 'not verified yet')
        const code = await s.enrollmentGroups.generateVerificationCode(null, 'edge-certs', 'primary')
        await s.enrollmentGroups.verifyCertificate(null, 'edge-certs', 'primary', (await issue(code, root)).pem)
        assert.deepEqual(await s.provisioning.groupForRegistration('dev-x', proof), { id: 'edge-certs', type: 'iotEdge' })
        assert.deepEqual(
          await s.provisioning.groupForRegistration('dev-x', { type: 'x509', chain: [leaf.pem, root.pem] }),
          { id: 'edge-certs', type: 'iotEdge' },
        )
        assert.equal(await s.provisioning.groupForRegistration('other-id', proof), null, 'CN is the registration id')
        const foreign = await issue('dev-x', stranger)
        assert.equal(await s.provisioning.groupForRegistration('dev-x', { type: 'x509', chain: [foreign.pem] }), null)
        assert.equal(await s.provisioning.groupForRegistration('dev-x', { type: 'x509', chain: ['junk'] }), null)
      })
    })
  })
}
