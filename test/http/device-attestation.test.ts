import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { must, seedHierarchy } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type ApiResponse, type TestServer } from '../helpers/server.js'
import { createCa, issue, type TestCertificate } from '../helpers/x509-chain.js'

const MERGE_PATCH = 'application/merge-patch+json'
const IOT_TEMPLATE = 'dtmi:contoso:thermostat;1'
const EDGE_TEMPLATE = 'dtmi:contoso:gateway;1'
const DAY = 86_400_000

/** The formula the device provisioning service uses, computed here independently. */
const derive = (groupKey: string, deviceId: string) =>
  createHmac('sha256', Buffer.from(groupKey, 'base64')).update(deviceId, 'utf8').digest('base64')

const KEYS = {
  primaryKey: Buffer.alloc(32, 7).toString('base64'),
  secondaryKey: Buffer.alloc(64, 9).toString('base64'),
}
const TPM = { type: 'tpm', tpm: { endorsementKey: Buffer.alloc(40, 3).toString('base64') } }

for (const dialect of DIALECTS) {
  describe(`device attestation and credentials (${dialect})`, () => {
    let server: TestServer
    let operator: string
    let orgConnectivity: string
    let orgReader: string
    let orgMixed: string
    let ca: TestCertificate
    const secrets = new Set<string>(Object.values(KEYS))

    const attestation = (id: string) => `/api/devices/${id}/attestation`
    const credentials = (id: string) => `/api/devices/${id}/credentials`
    const remember = (response: ApiResponse) => {
      const keys = response.body?.symmetricKey ?? response.body?.attestation?.symmetricKey
      if (keys) for (const key of Object.values(keys)) secrets.add(key as string)
      return response
    }
    const request = async (method: string, path: string, options: Parameters<TestServer['request']>[2] = {}) =>
      remember(await server.request(method, path, options))
    const state = async (id: string) => {
      const response = await request('GET', attestation(id))
      return { status: response.status, body: response.status === 200 ? response.body : response.body?.error?.code }
    }
    const groupKeys = async (id: string) => {
      const response = await request('GET', `/api/enrollmentGroups/${id}`)
      assert.equal(response.status, 200, response.text)
      return response.body.attestation.symmetricKey as { primaryKey: string; secondaryKey: string }
    }
    const device = (id: string, body: Record<string, unknown> = {}) =>
      must(server, 'PUT', `/api/devices/${id}`, { template: IOT_TEMPLATE, ...body })

    before(async () => {
      server = await startServer(dialect)
      await seedHierarchy(server)
      await must(server, 'PUT', `/api/deviceTemplates/${IOT_TEMPLATE}`, {
        '@type': ['ModelDefinition', 'DeviceModel'],
        capabilityModel: { '@id': IOT_TEMPLATE, '@type': 'Interface', contents: [] },
      })
      await must(server, 'PUT', `/api/deviceTemplates/${EDGE_TEMPLATE}`, {
        '@type': ['ModelDefinition', 'DeviceModel', 'EdgeModel'],
        capabilityModel: { '@id': EDGE_TEMPLATE, '@type': 'Interface', contents: [] },
      })
      await device('dev-root')
      await device('dev-us', { organizations: ['us'] })
      await device('dev-wa', { organizations: ['wa'] })
      await device('dev-eu', { organizations: ['eu'] })
      await device('gateway', { template: EDGE_TEMPLATE })
      await device('bare', { template: null })
      operator = await server.createToken('da-operator', [ROLE_IDS.operator])
      await must(server, 'PUT', '/api/roles/org-connect', {
        displayName: 'Org connect',
        type: 'organization',
        permissions: ['devices.read', 'deviceConnectivity.readInstance', 'deviceConnectivity.manageInstance'],
      })
      orgConnectivity = await server.createScopedToken('da-org', [{ role: 'org-connect', organization: 'us' }])
      await must(server, 'PUT', '/api/roles/org-connect-read', {
        displayName: 'Org connect read',
        type: 'organization',
        permissions: ['devices.read', 'deviceConnectivity.readInstance'],
      })
      orgReader = await server.createScopedToken('da-org-read', [{ role: 'org-connect-read', organization: 'us' }])
      // Changes attestations in 'eu' only; reads them in 'us'.
      orgMixed = await server.createScopedToken('da-org-mixed', [
        { role: 'org-connect-read', organization: 'us' },
        { role: 'org-connect', organization: 'eu' },
      ])
      ca = await createCa('Device CA')
    })
    after(async () => server?.close())

    describe('credentials', () => {
      it("derive a device's keys from the default SAS group of its kind, with the ID scope", async () => {
        const idScope = await server.app.services.provisioning.idScope()
        assert.match(idScope, /^0ne[0-9A-F]{8}$/)
        const iot = await groupKeys('SAS-IoT-Devices')
        const edge = await groupKeys('SAS-IoT-Edge-Devices')
        for (const [id, keys] of [
          ['dev-root', iot],
          ['bare', iot],
          ['gateway', edge],
        ] as const) {
          const response = await request('GET', credentials(id))
          assert.equal(response.status, 200, response.text)
          assert.deepEqual(response.body, {
            idScope,
            symmetricKey: { primaryKey: derive(keys.primaryKey, id), secondaryKey: derive(keys.secondaryKey, id) },
          })
        }
      })

      it('come from another enabled group of that kind when the default is disabled, and are absent with none', async () => {
        const patch = async (id: string, body: unknown) => {
          const response = await server.request('PATCH', `/api/enrollmentGroups/${id}`, { body, contentType: MERGE_PATCH })
          assert.equal(response.status, 200, response.text)
        }
        await patch('SAS-IoT-Edge-Devices', { enabled: false })
        try {
          const none = await request('GET', credentials('gateway'))
          assert.equal(none.status, 200)
          assert.deepEqual(Object.keys(none.body), ['idScope'])
          await must(server, 'PUT', '/api/enrollmentGroups/edge-extra', {
            displayName: 'Edge extra',
            type: 'iotEdge',
            attestation: { type: 'symmetricKey', symmetricKey: KEYS },
          })
          const extra = await request('GET', credentials('gateway'))
          assert.equal(extra.body.symmetricKey.primaryKey, derive(KEYS.primaryKey, 'gateway'))
          assert.equal(extra.body.symmetricKey.secondaryKey, derive(KEYS.secondaryKey, 'gateway'))
        } finally {
          await patch('SAS-IoT-Edge-Devices', { enabled: true })
          await must(server, 'DELETE', '/api/enrollmentGroups/edge-extra')
        }
      })

      it('answer 404 for an unknown device', async () => {
        expectError(await request('GET', credentials('no-such-device')), 404, 'NotFound')
      })
    })

    describe('symmetric-key attestation', () => {
      it('is stored as given, read back, and becomes the credentials', async () => {
        const body = { type: 'symmetricKey', symmetricKey: KEYS }
        const put = await request('PUT', attestation('dev-root'), { body })
        assert.equal(put.status, 200, put.text)
        assert.deepEqual(put.body, body)
        assert.deepEqual((await request('GET', attestation('dev-root'))).body, body)
        const creds = await request('GET', credentials('dev-root'))
        assert.deepEqual(creds.body.symmetricKey, KEYS)
      })

      it('generates 64-byte keys when none are given, and keeps them on a replace without keys', async () => {
        const made = await request('PUT', attestation('dev-wa'), { body: { type: 'symmetricKey' } })
        assert.equal(made.status, 200, made.text)
        assert.equal(Buffer.from(made.body.symmetricKey.primaryKey, 'base64').length, 64)
        const again = await request('PUT', attestation('dev-wa'), { body: { type: 'symmetricKey' } })
        assert.deepEqual(again.body, made.body)
      })

      it('refuses bad input with 422 naming the field, changing nothing', async () => {
        const before = await state('dev-root')
        const cases: [unknown, RegExp][] = [
          [{}, /^type: is required/],
          [{ type: 'password' }, /^type: must be one of/],
          [{ type: 'symmetricKey', symmetricKey: { primaryKey: '***' } }, /^symmetricKey\.primaryKey: must be base64/],
          [{ type: 'symmetricKey', symmetricKey: { secondaryKey: 'c2hvcnQ=' } }, /^symmetricKey\.secondaryKey: must be base64 of 16 to 64/],
          [{ type: 'symmetricKey', tpm: TPM.tpm }, /^tpm: does not belong to an attestation of type symmetricKey/],
          [{ type: 'symmetricKey', extra: true }, /^extra: is not a known member/],
        ]
        for (const [body, message] of cases) {
          expectError(await request('PUT', attestation('dev-root'), { body }), 422, 'UnprocessableEntity', message)
        }
        expectError(await request('PUT', attestation('dev-root'), { rawBody: '{' }), 400, 'BadRequest')
        assert.deepEqual(await state('dev-root'), before)
      })
    })

    describe('X.509 attestation', () => {
      it('takes a certificate whose CN is the device id and answers its thumbprint, never the certificate', async () => {
        const primary = await issue('dev-us', ca)
        const secondary = await issue('dev-us', ca)
        const body = {
          type: 'x509',
          x509: { clientCertificates: { primary: { certificate: primary.pem }, secondary: { certificate: secondary.der } } },
        }
        const put = await request('PUT', attestation('dev-us'), { body })
        assert.equal(put.status, 200, put.text)
        const expected = {
          type: 'x509',
          x509: {
            clientCertificates: {
              primary: { info: { sha1Thumbprint: primary.thumbprint } },
              secondary: { info: { sha1Thumbprint: secondary.thumbprint } },
            },
          },
        }
        assert.deepEqual(put.body, expected)
        const read = await request('GET', attestation('dev-us'))
        assert.deepEqual(read.body, expected)
        assert.ok(!read.text.includes('BEGIN CERTIFICATE'))
        const creds = await request('GET', credentials('dev-us'))
        assert.deepEqual(creds.body, { idScope: await server.app.services.provisioning.idScope(), x509: expected.x509 })
      })

      it('refuses unparsable, expired and foreign-CN certificates, changing nothing', async () => {
        const before = await state('dev-us')
        const expired = await issue('dev-us', ca, { notBefore: Date.now() - 10 * DAY, notAfter: Date.now() - DAY })
        const slot = (certificate: string) => ({ type: 'x509', x509: { clientCertificates: { primary: { certificate } } } })
        const cases: [unknown, RegExp][] = [
          [slot('garbage'), /^x509\.clientCertificates\.primary\.certificate: is not an X\.509 certificate/],
          [slot(expired.pem), /^x509\.clientCertificates\.primary\.certificate: expired on/],
          [slot((await issue('someone-else', ca)).pem), /subject CN must be the device id 'dev-us'/],
          [{ type: 'x509', x509: { clientCertificates: { secondary: { certificate: (await issue('dev-eu', ca)).pem } } } }, /CN must be the device id/],
          [{ type: 'x509', x509: { clientCertificates: { primary: null } } }, /^x509\.clientCertificates\.primary\.certificate: is required/],
        ]
        for (const [body, message] of cases) {
          expectError(await request('PUT', attestation('dev-us'), { body }), 422, 'UnprocessableEntity', message)
        }
        assert.deepEqual(await state('dev-us'), before)
        const fresh = await request('PUT', attestation('bare'), { body: { type: 'x509' } })
        expectError(fresh, 422, 'UnprocessableEntity', /primary\.certificate: is required/)
        expectError(await request('GET', attestation('bare')), 404, 'NotFound')
      })
    })

    describe('TPM attestation, merge patch and delete', () => {
      it('stores an endorsement key and refuses one that is not base64', async () => {
        const put = await request('PUT', attestation('dev-eu'), { body: TPM })
        assert.equal(put.status, 200, put.text)
        assert.deepEqual(put.body, TPM)
        const bad = await request('PUT', attestation('dev-eu'), { body: { type: 'tpm', tpm: { endorsementKey: 'not base64' } } })
        expectError(bad, 422, 'UnprocessableEntity', /^tpm\.endorsementKey: must be base64/)
        const missing = await request('PUT', attestation('bare'), { body: { type: 'tpm' } })
        expectError(missing, 422, 'UnprocessableEntity', /^tpm\.endorsementKey: is required/)
        assert.deepEqual((await request('GET', attestation('dev-eu'))).body, TPM)
        assert.deepEqual((await request('GET', credentials('dev-eu'))).body.tpm, TPM.tpm)
      })

      it('patches: a member changes, another type replaces, an absent attestation is 404', async () => {
        const endorsementKey = Buffer.alloc(20, 5).toString('base64')
        for (const contentType of ['application/json', MERGE_PATCH]) {
          const patched = await request('PATCH', attestation('dev-eu'), { body: { tpm: { endorsementKey } }, contentType })
          assert.equal(patched.status, 200, patched.text)
          assert.deepEqual(patched.body, { type: 'tpm', tpm: { endorsementKey } })
        }
        const switched = await request('PATCH', attestation('dev-eu'), {
          body: { type: 'symmetricKey', symmetricKey: KEYS },
          contentType: MERGE_PATCH,
        })
        assert.deepEqual(switched.body, { type: 'symmetricKey', symmetricKey: KEYS })
        const bad = await request('PATCH', attestation('dev-eu'), { body: { type: null } })
        expectError(bad, 422, 'UnprocessableEntity', /^type: cannot be removed/)
        expectError(await request('PATCH', attestation('bare'), { body: TPM }), 404, 'NotFound')
        assert.deepEqual((await request('GET', attestation('dev-eu'))).body.symmetricKey, KEYS)
      })

      it('deletes: 204, then 404, and the credentials come from the group again', async () => {
        assert.equal((await request('DELETE', attestation('dev-eu'))).status, 204)
        expectError(await request('GET', attestation('dev-eu')), 404, 'NotFound')
        expectError(await request('DELETE', attestation('dev-eu')), 404, 'NotFound')
        const iot = await groupKeys('SAS-IoT-Devices')
        const creds = await request('GET', credentials('dev-eu'))
        assert.equal(creds.body.symmetricKey.primaryKey, derive(iot.primaryKey, 'dev-eu'))
      })

      it("goes with its device: a device deleted and made again has no attestation", async () => {
        await device('short-lived')
        assert.equal((await request('PUT', attestation('short-lived'), { body: TPM })).status, 200)
        await must(server, 'DELETE', '/api/devices/short-lived')
        expectError(await request('GET', attestation('short-lived')), 404, 'NotFound')
        await device('short-lived')
        expectError(await request('GET', attestation('short-lived')), 404, 'NotFound')
      })
    })

    describe('authentication, authorization and scope', () => {
      const routes = (id: string): [string, string, unknown?][] => [
        ['GET', attestation(id)],
        ['PUT', attestation(id), TPM],
        ['PATCH', attestation(id), TPM],
        ['DELETE', attestation(id)],
        ['GET', credentials(id)],
      ]
      let before: unknown[]
      const all = async () => [await state('dev-root'), await state('dev-us'), await state('dev-eu'), await state('dev-wa')]

      it('prepares attestations', async () => {
        await request('PUT', attestation('dev-eu'), { body: TPM })
        before = await all()
      })

      it('answers 401 without a credential, changing nothing', async () => {
        for (const [method, path, body] of routes('dev-us')) {
          const response = await request(method, path, { auth: null, ...(body ? { body } : {}) })
          expectError(response, 401, 'Unauthenticated')
        }
        assert.deepEqual(await all(), before)
      })

      it('answers 403 to a role without deviceConnectivity, changing nothing', async () => {
        for (const [method, path, body] of routes('dev-root')) {
          const response = await request(method, path, { auth: operator, ...(body ? { body } : {}) })
          expectError(response, 403, 'Forbidden', /deviceConnectivity\.(read|manage)Instance/)
        }
        assert.deepEqual(await all(), before)
      })

      it('answers 404 out of the caller organizations, 403 where it only reads', async () => {
        for (const id of ['dev-root', 'dev-eu', 'no-such-device']) {
          for (const [method, path, body] of routes(id)) {
            const response = await request(method, path, { auth: orgConnectivity, ...(body ? { body } : {}) })
            expectError(response, 404, 'NotFound', new RegExp(`The device '${id}'`))
          }
        }
        for (const [method, path, body] of routes('dev-wa').slice(1, 4)) {
          const guarded = await request(method, path, { auth: orgReader, ...(body ? { body } : {}) })
          expectError(guarded, 403, 'Forbidden', /it needs deviceConnectivity\.manageInstance/)
          const response = await request(method, path, { auth: orgMixed, ...(body ? { body } : {}) })
          expectError(response, 403, 'Forbidden', /organization 'wa': it needs deviceConnectivity\.manageInstance/)
        }
        assert.deepEqual(await all(), before)
      })

      it('serves a caller within its organizations', async () => {
        const read = await request('GET', attestation('dev-us'), { auth: orgReader })
        assert.equal(read.status, 200, read.text)
        const creds = await request('GET', credentials('dev-wa'), { auth: orgReader })
        assert.equal(creds.status, 200, creds.text)
        const put = await request('PUT', attestation('dev-wa'), { auth: orgConnectivity, body: TPM })
        assert.equal(put.status, 200, put.text)
        assert.deepEqual(put.body, TPM)
      })
    })

    describe('secrets', () => {
      it('never writes a key to the log, and seals keys at rest', async () => {
        assert.ok(secrets.size >= 8, 'keys were seen')
        const log = server.logs.join('\n')
        for (const key of secrets) assert.ok(!log.includes(key), 'a key is in the log')
        const rows = await server.app.store.db.selectFrom('device_attestations').selectAll().execute()
        const stored = JSON.stringify(rows)
        for (const key of secrets) assert.ok(!stored.includes(key), 'a key is stored in the clear')
      })
    })
  })
}
