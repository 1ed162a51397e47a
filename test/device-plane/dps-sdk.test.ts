import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import {
  groupDeviceKey,
  privateKeyPem,
  registerWithSdk,
  startDpsServer,
  type DpsServer,
} from '../helpers/dps.js'
import { TestClock } from '../helpers/server.js'
import { createCa, issue, type TestCertificate } from '../helpers/x509-chain.js'

const TEMPLATE_ID = 'dtmi:contoso:dpsThermostat;1'
const TEMPLATE = {
  '@type': ['ModelDefinition', 'DeviceModel'],
  displayName: 'Thermostat',
  capabilityModel: {
    '@id': 'dtmi:contoso:dpsThermostat:cm;1',
    '@type': 'Interface',
    displayName: 'Thermostat',
    contents: [{ '@type': 'Telemetry', name: 'temperature', schema: 'double' }],
  },
}
const HOUR = 3_600_000

/** Microsoft's provisioning SDK, unchanged, over HTTPS against the real server. */
for (const dialect of DIALECTS) {
  describe(`DPS over HTTPS with Microsoft's SDK (${dialect})`, () => {
    let dps: DpsServer
    let clock: TestClock
    let groupKey: string
    const secrets = new Set<string>()

    const device = async (id: string) => dps.call('GET', `/api/devices/${id}`)
    const withGroupKey = (registrationId: string) => {
      const symmetricKey = groupDeviceKey(groupKey, registrationId)
      secrets.add(symmetricKey)
      return { registrationId, symmetricKey }
    }
    /** The SDK's error for a refused registration, with the HTTP status it saw. */
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => assert.fail('the registration succeeded'),
        (e: unknown) => e as Error & { response?: { statusCode?: number }; responseBody?: string },
      )
      return { name: error.name, status: error.response?.statusCode, body: JSON.parse(error.responseBody ?? 'null') }
    }

    before(async () => {
      clock = new TestClock()
      dps = await startDpsServer(dialect, clock)
      const group = await dps.must('GET', '/api/enrollmentGroups/SAS-IoT-Devices')
      groupKey = group.attestation.symmetricKey.primaryKey
      secrets.add(groupKey)
      await dps.must('PUT', `/api/deviceTemplates/${encodeURIComponent(TEMPLATE_ID)}`, TEMPLATE)
    })
    after(async () => dps?.close())

    it('registers an unknown device with a key derived from SAS-IoT-Devices: created, provisioned, template from modelId', async () => {
      assert.equal((await device('sdk-new')).status, 404)
      const result = await registerWithSdk(dps, dps.idScope, withGroupKey('sdk-new'), { modelId: TEMPLATE_ID })
      assert.equal(result.assignedHub, 'localhost')
      assert.equal(result.deviceId, 'sdk-new')
      assert.equal(result.registrationId, 'sdk-new')
      assert.equal(result.status, 'assigned')
      assert.equal(result.substatus, 'initialAssignment')
      for (const field of ['createdDateTimeUtc', 'lastUpdatedDateTimeUtc'] as const) {
        assert.ok(!Number.isNaN(Date.parse(result[field] as string)), field)
      }
      const created = await device('sdk-new')
      assert.equal(created.status, 200)
      assert.equal(created.body.provisioned, true)
      assert.equal(created.body.enabled, true)
      assert.equal(created.body.template, TEMPLATE_ID)
      assert.equal(created.body.displayName, 'sdk-new')
    })

    it('registers a known device again, keeping it as it is', async () => {
      const before = (await device('sdk-new')).body
      const result = await registerWithSdk(dps, dps.idScope, withGroupKey('sdk-new'))
      assert.equal(result.deviceId, 'sdk-new')
      assert.deepEqual((await device('sdk-new')).body, before)
    })

    it('provisions a device created through the API, without a template when modelId names none', async () => {
      await dps.must('PUT', '/api/devices/sdk-known', { displayName: 'Known' })
      assert.equal((await device('sdk-known')).body.provisioned, false)
      await registerWithSdk(dps, dps.idScope, withGroupKey('sdk-known'), { modelId: 'dtmi:contoso:unknown;1' })
      const provisioned = (await device('sdk-known')).body
      assert.equal(provisioned.provisioned, true)
      assert.equal(provisioned.displayName, 'Known')
      assert.equal(provisioned.template, undefined)
    })

    it('registers a device with its own symmetric key, and refuses it the group key', async () => {
      await dps.must('PUT', '/api/devices/sdk-own', { displayName: 'Own key' })
      const attestation = await dps.must('PUT', '/api/devices/sdk-own/attestation', { type: 'symmetricKey' })
      const { primaryKey, secondaryKey } = attestation.symmetricKey
      secrets.add(primaryKey).add(secondaryKey)
      const result = await registerWithSdk(dps, dps.idScope, { registrationId: 'sdk-own', symmetricKey: secondaryKey })
      assert.equal(result.deviceId, 'sdk-own')
      assert.equal((await device('sdk-own')).body.provisioned, true)
      const refused = await refusal(registerWithSdk(dps, dps.idScope, withGroupKey('sdk-own')))
      assert.equal(refused.status, 401)
      assert.equal(refused.body.errorCode, 401002)
    })

    describe('X.509', () => {
      let ca: TestCertificate
      const certificateOf = async (leaf: TestCertificate) => ({ cert: leaf.pem, key: await privateKeyPem(leaf) })

      before(async () => {
        ca = await createCa('DPS test root')
        await dps.must('PUT', '/api/enrollmentGroups/x509-devices', {
          displayName: 'X.509 devices',
          type: 'iot',
          attestation: { type: 'x509' },
        })
        const path = '/api/enrollmentGroups/x509-devices/certificates/primary'
        await dps.must('PUT', path, { certificate: ca.pem })
        const { verificationCode } = await dps.must('POST', `${path}/generateVerificationCode`)
        await dps.must('POST', `${path}/verify`, { certificate: (await issue(verificationCode, ca)).pem })
      })

      it('registers a device with its own certificate (thumbprint enrolled, CN = registration id)', async () => {
        const own = await createCa('Self-made')
        const leaf = await issue('sdk-x509-own', own)
        await dps.must('PUT', '/api/devices/sdk-x509-own', { displayName: 'Own certificate' })
        await dps.must('PUT', '/api/devices/sdk-x509-own/attestation', {
          type: 'x509',
          x509: { clientCertificates: { primary: { certificate: leaf.pem } } },
        })
        const result = await registerWithSdk(dps, dps.idScope, {
          registrationId: 'sdk-x509-own',
          certificate: await certificateOf(leaf),
        })
        assert.equal(result.deviceId, 'sdk-x509-own')
        assert.equal((await device('sdk-x509-own')).body.provisioned, true)
        // Another certificate with the same CN from the same issuer is not the enrolled one.
        const other = await issue('sdk-x509-own', own)
        const refused = await refusal(
          registerWithSdk(dps, dps.idScope, { registrationId: 'sdk-x509-own', certificate: await certificateOf(other) }),
        )
        assert.equal(refused.status, 401)
      })

      it('creates a device whose certificate a verified group certificate signed', async () => {
        const leaf = await issue('sdk-x509-new', ca)
        const result = await registerWithSdk(dps, dps.idScope, {
          registrationId: 'sdk-x509-new',
          certificate: await certificateOf(leaf),
        })
        assert.equal(result.deviceId, 'sdk-x509-new')
        const created = (await device('sdk-x509-new')).body
        assert.equal(created.provisioned, true)
        assert.equal(created.template, undefined)
      })

      it('refuses a certificate whose CN is not the registration id, or that no group knows', async () => {
        const wrongName = await issue('someone-else', ca)
        const stranger = await issue('sdk-x509-stranger', await createCa('Unknown root'))
        for (const leaf of [wrongName, stranger]) {
          const refused = await refusal(
            registerWithSdk(dps, dps.idScope, { registrationId: 'sdk-x509-stranger', certificate: await certificateOf(leaf) }),
          )
          assert.equal(refused.status, 401)
          assert.equal(refused.body.errorCode, 401002)
        }
        assert.equal((await device('sdk-x509-stranger')).status, 404)
      })
    })

    describe('refusals', () => {
      it('refuses a wrong key (401) and creates nothing', async () => {
        const refused = await refusal(
          registerWithSdk(dps, dps.idScope, { registrationId: 'sdk-wrong', symmetricKey: groupDeviceKey(groupKey, 'other') }),
        )
        assert.equal(refused.status, 401)
        assert.deepEqual(Object.keys(refused.body).sort(), ['errorCode', 'message', 'timestampUtc', 'trackingId'])
        assert.equal((await device('sdk-wrong')).status, 404)
      })

      it('refuses a SAS that has expired by the server clock (401)', async () => {
        clock.advance(2 * HOUR)
        try {
          const refused = await refusal(registerWithSdk(dps, dps.idScope, withGroupKey('sdk-late')))
          assert.equal(refused.status, 401)
          assert.match(refused.body.message, /expired/)
        } finally {
          clock.advance(-2 * HOUR)
        }
        assert.equal((await device('sdk-late')).status, 404)
      })

      it('refuses another ID scope (404)', async () => {
        const refused = await refusal(registerWithSdk(dps, '0ne00000000', withGroupKey('sdk-scope')))
        assert.equal(refused.status, 404)
        assert.equal((await device('sdk-scope')).status, 404)
      })

      it('refuses a blocked device (401), and takes it again once unblocked', async () => {
        await dps.must('PUT', '/api/devices/sdk-blocked', { displayName: 'Blocked', enabled: false })
        const refused = await refusal(registerWithSdk(dps, dps.idScope, withGroupKey('sdk-blocked')))
        assert.equal(refused.status, 401)
        assert.match(refused.body.message, /blocked/)
        assert.equal((await device('sdk-blocked')).body.provisioned, false)
        await dps.must('PATCH', '/api/devices/sdk-blocked', { enabled: true })
        await registerWithSdk(dps, dps.idScope, withGroupKey('sdk-blocked'))
        assert.equal((await device('sdk-blocked')).body.provisioned, true)
      })

      it('refuses a new device of a disabled group (401)', async () => {
        await dps.must('PATCH', '/api/enrollmentGroups/SAS-IoT-Devices', { enabled: false })
        try {
          const refused = await refusal(registerWithSdk(dps, dps.idScope, withGroupKey('sdk-disabled-group')))
          assert.equal(refused.status, 401)
        } finally {
          await dps.must('PATCH', '/api/enrollmentGroups/SAS-IoT-Devices', { enabled: true })
        }
        assert.equal((await device('sdk-disabled-group')).status, 404)
      })

      it('refuses a registration id that cannot be a device id (400)', async () => {
        const refused = await refusal(registerWithSdk(dps, dps.idScope, withGroupKey('-leading-dash')))
        assert.equal(refused.status, 400)
        assert.equal(refused.body.errorCode, 400004)
      })

      it('never logs a key or a SAS', () => {
        const log = dps.server.logs.join('\n')
        for (const secret of secrets) assert.ok(!log.includes(secret), 'a key is in the log')
        assert.ok(!log.includes('SharedAccessSignature sr=' + dps.idScope), 'a SAS is in the log')
      })
    })
  })
}
