import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { must, seedHierarchy } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type ApiResponse, type TestServer } from '../helpers/server.js'
import { createCa, issue, type TestCertificate } from '../helpers/x509-chain.js'

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
const MERGE_PATCH = 'application/merge-patch+json'
const SAS_GROUP = { displayName: 'My group', enabled: true, type: 'iot', attestation: { type: 'symmetricKey' } }
const X509_GROUP = { displayName: 'Certificates', type: 'iot', attestation: { type: 'x509' } }
const DAY = 86_400_000

const keyBytes = (key: string) => Buffer.from(key, 'base64').length

for (const dialect of DIALECTS) {
  describe(`enrollment groups (${dialect})`, () => {
    let server: TestServer
    let operator: string
    let builder: string
    let orgGlobal: string
    const secrets = new Set<string>()

    const path = (id: string) => `/api/enrollmentGroups/${id}`
    const certPath = (id: string, entry = 'primary') => `/api/enrollmentGroups/${id}/certificates/${entry}`
    const get = (id: string) => server.request('GET', path(id))
    /** Every key a response shows is remembered, to look for it in the log at the end. */
    const remember = (response: ApiResponse) => {
      const keys = response.body?.attestation?.symmetricKey
      if (keys) for (const key of Object.values(keys)) secrets.add(key as string)
      return response
    }
    const put = async (id: string, body: unknown) => remember(await server.request('PUT', path(id), { body }))
    const create = async (id: string, body: unknown = SAS_GROUP) => {
      const response = await put(id, body)
      assert.equal(response.status, 200, response.text)
      return response.body
    }
    const snapshot = async (id: string) => {
      const response = remember(await get(id))
      return { status: response.status, body: response.status === 200 ? response.body : response.body?.error?.code }
    }
    const certSnapshot = async (id: string, entry = 'primary') => {
      const response = await server.request('GET', certPath(id, entry))
      return { status: response.status, body: response.status === 200 ? response.body : response.body?.error?.code }
    }

    before(async () => {
      server = await startServer(dialect)
      await seedHierarchy(server)
      operator = await server.createToken('eg-operator', [ROLE_IDS.operator])
      builder = await server.createToken('eg-builder', [ROLE_IDS.builder])
      await must(server, 'PUT', '/api/roles/org-connectivity', {
        displayName: 'Org connectivity',
        type: 'organization',
        permissions: ['deviceConnectivity.readGlobal', 'deviceConnectivity.manageGlobal', 'devices.read'],
      })
      orgGlobal = await server.createScopedToken('eg-org', [{ role: 'org-connectivity', organization: 'us' }])
    })
    after(async () => server?.close())

    describe('the application at first start', () => {
      it('has an ID scope in IoT Central form', async () => {
        assert.match(await server.app.services.provisioning.idScope(), /^0ne[0-9A-F]{8}$/)
      })

      it('has the two default SAS groups, with 64-byte keys shown by GET and never by the list', async () => {
        const list = await server.request('GET', '/api/enrollmentGroups')
        assert.equal(list.status, 200, list.text)
        const byId = new Map(list.body.value.map((g: any) => [g.id, g]))
        assert.deepEqual(
          ['SAS-IoT-Devices', 'SAS-IoT-Edge-Devices'].map((id) => (byId.get(id) as any)?.type),
          ['iot', 'iotEdge'],
        )
        for (const group of list.body.value) assert.equal(group.attestation.symmetricKey, undefined)
        assert.ok(!list.text.includes('primaryKey'))
        for (const id of ['SAS-IoT-Devices', 'SAS-IoT-Edge-Devices']) {
          const one = remember(await get(id))
          assert.equal(one.status, 200)
          assert.equal(one.body.enabled, true)
          const { primaryKey, secondaryKey } = one.body.attestation.symmetricKey
          assert.equal(keyBytes(primaryKey), 64)
          assert.equal(keyBytes(secondaryKey), 64)
          assert.notEqual(primaryKey, secondaryKey)
          assert.match(one.body.etag, BASE64)
        }
      })
    })

    describe('authentication and authorization', () => {
      const routes = (id: string): [string, string, unknown?, string?][] => [
        ['GET', '/api/enrollmentGroups'],
        ['GET', path(id)],
        ['PUT', path('auth-new'), SAS_GROUP],
        ['PATCH', path(id), { displayName: 'x' }, MERGE_PATCH],
        ['DELETE', path(id)],
        ['GET', certPath('auth-x509')],
        ['PUT', certPath('auth-x509', 'secondary'), { certificate: 'x' }],
        ['DELETE', certPath('auth-x509')],
        ['POST', `${certPath('auth-x509')}/generateVerificationCode`],
        ['POST', `${certPath('auth-x509')}/verify`, { certificate: 'x' }],
      ]

      let before: unknown[]
      const state = async () => [
        await snapshot('auth-sas'),
        await snapshot('auth-new'),
        await certSnapshot('auth-x509'),
        await certSnapshot('auth-x509', 'secondary'),
      ]

      it('prepares a SAS and an X.509 group', async () => {
        await create('auth-sas')
        await create('auth-x509', X509_GROUP)
        const ca = await createCa('auth-ca')
        const response = await server.request('PUT', certPath('auth-x509'), { body: { certificate: ca.pem } })
        assert.equal(response.status, 200, response.text)
        before = await state()
      })

      it('answers 401 without a credential on every route, changing nothing', async () => {
        for (const [method, route, body, contentType] of routes('auth-sas')) {
          const response = await server.request(method, route, {
            auth: null,
            ...(body === undefined ? {} : { body }),
            ...(contentType ? { contentType } : {}),
          })
          expectError(response, 401, 'Unauthenticated')
        }
        assert.deepEqual(await state(), before)
      })

      it('answers 403 to a role without deviceConnectivity on every route, changing nothing', async () => {
        for (const [method, route, body, contentType] of routes('auth-sas')) {
          const response = await server.request(method, route, {
            auth: operator,
            ...(body === undefined ? {} : { body }),
            ...(contentType ? { contentType } : {}),
          })
          expectError(response, 403, 'Forbidden', /deviceConnectivity\.(read|manage)Global/)
        }
        assert.deepEqual(await state(), before)
      })

      it('answers 403 to an organization role even holding the permissions: groups are application-wide', async () => {
        for (const [method, route, body, contentType] of routes('auth-sas')) {
          const response = await server.request(method, route, {
            auth: orgGlobal,
            ...(body === undefined ? {} : { body }),
            ...(contentType ? { contentType } : {}),
          })
          expectError(response, 403, 'Forbidden', /application-wide/)
        }
        assert.deepEqual(await state(), before)
      })

      it('lets the Builder read and change groups', async () => {
        const read = await server.request('GET', path('auth-sas'), { auth: builder })
        assert.equal(read.status, 200)
        const patched = await server.request('PATCH', path('builder-made'), {
          auth: builder,
          body: { displayName: 'x' },
          contentType: MERGE_PATCH,
        })
        expectError(patched, 404, 'NotFound')
        const made = await server.request('PUT', path('builder-made'), { auth: builder, body: SAS_GROUP })
        assert.equal(remember(made).status, 200, made.text)
      })
    })

    describe('symmetric-key groups', () => {
      it("creates a group from IoT Central's example body with fresh keys and a base64 etag", async () => {
        const group = await create('myEnrollmentGroupId')
        assert.equal(group.id, 'myEnrollmentGroupId')
        assert.equal(group.displayName, 'My group')
        assert.equal(group.enabled, true)
        assert.equal(group.type, 'iot')
        assert.equal(group.attestation.type, 'symmetricKey')
        assert.equal(keyBytes(group.attestation.symmetricKey.primaryKey), 64)
        assert.equal(keyBytes(group.attestation.symmetricKey.secondaryKey), 64)
        assert.match(group.etag, BASE64)
        assert.deepEqual((await get('myEnrollmentGroupId')).body, group)
      })

      it('keeps the keys when replaced without them, and takes given keys', async () => {
        const first = await create('keep-keys')
        const replaced = await create('keep-keys', { ...SAS_GROUP, displayName: 'Renamed', type: 'iotEdge' })
        assert.deepEqual(replaced.attestation.symmetricKey, first.attestation.symmetricKey)
        assert.equal(replaced.type, 'iotEdge')
        assert.notEqual(replaced.etag, first.etag)
        const given = {
          primaryKey: Buffer.alloc(32, 1).toString('base64'),
          secondaryKey: Buffer.alloc(16, 2).toString('base64'),
        }
        const rotated = await create('keep-keys', { ...SAS_GROUP, attestation: { type: 'symmetricKey', symmetricKey: given } })
        assert.deepEqual(rotated.attestation.symmetricKey, given)
      })

      it('refuses bad input with 422 naming the field, changing nothing', async () => {
        const existing = await create('bad-input')
        const before = await snapshot('bad-input')
        const cases: [unknown, RegExp][] = [
          [{ type: 'iot', attestation: { type: 'symmetricKey' } }, /^displayName: is required/],
          [{ displayName: 'x', attestation: { type: 'symmetricKey' } }, /^type: is required/],
          [{ displayName: 'x', type: 'iot' }, /^attestation: is required/],
          [{ ...SAS_GROUP, attestation: {} }, /^attestation\.type: is required/],
          [{ ...SAS_GROUP, type: 'edge' }, /^type: must be one of/],
          [{ ...SAS_GROUP, attestation: { type: 'tpm' } }, /^attestation\.type: must be one of/],
          [{ ...SAS_GROUP, attestation: { type: 'x509' } }, /^attestation\.type: is symmetricKey and cannot change/],
          [
            { ...SAS_GROUP, attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: 'not base64!' } } },
            /^attestation\.symmetricKey\.primaryKey: must be base64/,
          ],
          [
            { ...SAS_GROUP, attestation: { type: 'symmetricKey', symmetricKey: { secondaryKey: 'c2hvcnQ=' } } },
            /^attestation\.symmetricKey\.secondaryKey: must be base64 of 16 to 64 bytes/,
          ],
          [{ ...SAS_GROUP, displayName: ' ' }, /^displayName: must be 1 to 200/],
          [{ ...SAS_GROUP, id: 'other' }, /^id: is read-only/],
          [{ ...SAS_GROUP, unknown: 1 }, /^unknown: is not a known member/],
        ]
        for (const [body, message] of cases) {
          expectError(await put('bad-input', body), 422, 'UnprocessableEntity', message)
        }
        const malformed = await server.request('PUT', path('bad-input'), { rawBody: '{"displayName":' })
        expectError(malformed, 400, 'BadRequest')
        const stale = await put('bad-input', { ...SAS_GROUP, etag: 'c3RhbGU=', displayName: 'Stale' })
        expectError(stale, 412, 'PreconditionFailed')
        assert.deepEqual(await snapshot('bad-input'), before)
        assert.equal(before.body.etag, existing.etag)
        expectError(await put('bad_id', SAS_GROUP), 422, 'UnprocessableEntity', /^enrollmentGroupId: /)
        expectError(await put('x'.repeat(256), SAS_GROUP), 422, 'UnprocessableEntity', /^enrollmentGroupId: /)
        expectError(await get('bad_id'), 404, 'NotFound')
      })

      it('answers a current etag', async () => {
        const group = await create('etag-ok')
        const response = await put('etag-ok', { ...SAS_GROUP, displayName: 'With etag', etag: group.etag })
        assert.equal(response.status, 200, response.text)
      })

      it('reads application/json as a merge patch; another content type is 415 and changes nothing', async () => {
        await create('patched')
        const before = await snapshot('patched')
        for (const contentType of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
          const refused = await server.request('PATCH', path('patched'), {
            rawBody: '{"displayName":"New"}',
            contentType,
          })
          expectError(refused, 415, 'UnsupportedMediaType')
        }
        assert.deepEqual(await snapshot('patched'), before)
        const json = await server.request('PATCH', path('patched'), { body: { displayName: 'From JSON' } })
        assert.equal(json.status, 200, json.text)
        assert.equal(json.body.displayName, 'From JSON')
        assert.equal(json.body.type, 'iot')
        assert.deepEqual(json.body.attestation, before.body.attestation)
        const jsonReset = await server.request('PATCH', path('patched'), { body: { displayName: null } })
        expectError(jsonReset, 422, 'UnprocessableEntity', /^displayName: cannot be removed/)
        const patched = await server.request('PATCH', path('patched'), {
          body: { displayName: 'My new group name', enabled: false },
          contentType: MERGE_PATCH,
        })
        assert.equal(patched.status, 200, patched.text)
        assert.equal(patched.body.displayName, 'My new group name')
        assert.equal(patched.body.enabled, false)
        assert.equal(patched.body.type, 'iot')
        assert.deepEqual(patched.body.attestation, before.body.attestation)
        for (const [body, message] of [
          [{ displayName: null }, /^displayName: cannot be removed/],
          [{ type: 'nope' }, /^type: must be one of/],
          [{ attestation: { type: 'x509' } }, /cannot change/],
        ] as const) {
          const refused = await server.request('PATCH', path('patched'), { body, contentType: MERGE_PATCH })
          expectError(refused, 422, 'UnprocessableEntity', message)
        }
        assert.equal((await get('patched')).body.displayName, 'My new group name')
        const missing = await server.request('PATCH', path('no-such-group'), { body: {}, contentType: MERGE_PATCH })
        expectError(missing, 404, 'NotFound')
        const badId = await server.request('PATCH', path('bad_id'), { body: {}, contentType: MERGE_PATCH })
        expectError(badId, 404, 'NotFound')
      })

      it('deletes a group: 204, then 404', async () => {
        await create('doomed')
        const deleted = await server.request('DELETE', path('doomed'))
        assert.equal(deleted.status, 204)
        expectError(await get('doomed'), 404, 'NotFound')
        expectError(await server.request('DELETE', path('doomed')), 404, 'NotFound')
        expectError(await server.request('DELETE', path('bad_id')), 404, 'NotFound')
      })

      it('lists every group once, a page at a time, without keys', async () => {
        for (let i = 0; i < 5; i++) await create(`paged-${i}`)
        const seen: string[] = []
        let next: string | undefined = '/api/enrollmentGroups?maxpagesize=2'
        while (next) {
          const response: ApiResponse = await server.request('GET', next)
          assert.equal(response.status, 200, response.text)
          assert.ok(response.body.value.length <= 2)
          assert.ok(!response.text.includes('primaryKey'))
          seen.push(...response.body.value.map((g: any) => g.id))
          next = response.body.nextLink
        }
        assert.deepEqual(seen, [...seen].sort())
        assert.equal(new Set(seen).size, seen.length)
        for (let i = 0; i < 5; i++) assert.ok(seen.includes(`paged-${i}`))
        assert.ok(seen.includes('SAS-IoT-Devices'))
      })
    })

    describe('X.509 groups and proof of possession', () => {
      let ca: TestCertificate
      let other: TestCertificate

      before(async () => {
        ca = await createCa('Contoso root')
        other = await createCa('Someone else')
        await create('x509-group', X509_GROUP)
      })

      const code = async (entry = 'primary') => {
        const response = await server.request('POST', `${certPath('x509-group', entry)}/generateVerificationCode`)
        assert.equal(response.status, 200, response.text)
        assert.match(response.body.verificationCode, /^[0-9A-F]{48}$/)
        return response.body.verificationCode as string
      }
      const verify = (certificate: string, entry = 'primary') =>
        server.request('POST', `${certPath('x509-group', entry)}/verify`, { body: { certificate } })

      it('takes a signing certificate as PEM, unverified, with its SHA-1 thumbprint', async () => {
        const response = await server.request('PUT', certPath('x509-group'), { body: { certificate: ca.pem } })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(Object.keys(response.body).sort(), ['etag', 'info', 'verified'])
        assert.equal(response.body.verified, false)
        assert.equal(response.body.info.sha1Thumbprint, ca.thumbprint)
        assert.match(response.body.etag, BASE64)
        assert.deepEqual((await server.request('GET', certPath('x509-group'))).body, response.body)
        const group = await get('x509-group')
        assert.deepEqual(group.body.attestation, {
          type: 'x509',
          x509: { signingCertificates: { primary: response.body } },
        })
      })

      it('takes a certificate as base64 DER', async () => {
        const response = await server.request('PUT', certPath('x509-group', 'secondary'), {
          body: { certificate: other.der },
        })
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body.info.sha1Thumbprint, other.thumbprint)
      })

      it('refuses unparsable, expired and misplaced certificates, changing nothing', async () => {
        const before = [await certSnapshot('x509-group'), await snapshot('x509-group')]
        const expired = await createCa('Old root', { notBefore: Date.now() - 400 * DAY, notAfter: Date.now() - DAY })
        const cases: [string, unknown, number, RegExp][] = [
          [certPath('x509-group'), { certificate: 'not a certificate' }, 422, /^certificate: is not an X\.509 certificate/],
          [certPath('x509-group'), { certificate: Buffer.from('garbage').toString('base64') }, 422, /^certificate: is not an X\.509/],
          [certPath('x509-group'), { certificate: expired.pem }, 422, /^certificate: expired on/],
          [certPath('x509-group'), {}, 422, /^certificate: is required/],
          [certPath('x509-group'), { certificate: ca.pem, etag: 'c3RhbGU=' }, 412, /changed since/],
          [certPath('x509-group', 'tertiary'), { certificate: ca.pem }, 422, /^entry: must be primary or secondary/],
          [certPath('myEnrollmentGroupId'), { certificate: ca.pem }, 409, /uses symmetric keys/],
          [certPath('no-such-group'), { certificate: ca.pem }, 404, /enrollment group 'no-such-group'/],
        ]
        for (const [route, body, status, message] of cases) {
          const response = await server.request('PUT', route, { body })
          const code = { 404: 'NotFound', 409: 'Conflict', 412: 'PreconditionFailed', 422: 'UnprocessableEntity' }[status]
          expectError(response, status, code as string, message)
        }
        expectError(await server.request('GET', certPath('x509-group', 'tertiary')), 404, 'NotFound')
        expectError(await server.request('GET', certPath('myEnrollmentGroupId')), 404, 'NotFound')
        assert.deepEqual([await certSnapshot('x509-group'), await snapshot('x509-group')], before)
        const badEntry = await server.request('POST', `${certPath('x509-group', 'tertiary')}/generateVerificationCode`)
        expectError(badEntry, 404, 'NotFound')
      })

      it('refuses a verification without a code (409), then with a wrong proof (422), changing nothing', async () => {
        const early = await verify((await issue('anything', ca)).pem)
        expectError(early, 409, 'Conflict', /generateVerificationCode first/)
        const verificationCode = await code()
        const before = await certSnapshot('x509-group')
        const expiredProof = await issue(verificationCode, ca, {
          notBefore: Date.now() - 10 * DAY,
          notAfter: Date.now() - DAY,
        })
        const cases: [string, RegExp][] = [
          ['garbage', /^certificate: is not an X\.509 certificate/],
          [(await issue('wrong-cn', ca)).pem, /^certificate: its subject CN must be the verification code/],
          [(await issue(verificationCode, other)).pem, /^certificate: is not signed by the key of the primary certificate/],
          [expiredProof.pem, /^certificate: expired on/],
        ]
        for (const [certificate, message] of cases) {
          expectError(await verify(certificate), 422, 'UnprocessableEntity', message)
        }
        const missing = await server.request('POST', `${certPath('x509-group')}/verify`, { body: {} })
        expectError(missing, 422, 'UnprocessableEntity', /^certificate: is required/)
        assert.deepEqual(await certSnapshot('x509-group'), before)
        assert.equal(before.body.verified, false)
      })

      it('verifies with a certificate whose CN is the code, signed by the uploaded key', async () => {
        const first = await code()
        const verificationCode = await code()
        assert.notEqual(first, verificationCode)
        // The earlier code no longer proves anything.
        expectError(await verify((await issue(first, ca)).pem), 422, 'UnprocessableEntity', /CN/)
        const before = await certSnapshot('x509-group')
        const groupBefore = (await get('x509-group')).body
        const response = await verify((await issue(verificationCode, ca)).der)
        assert.equal(response.status, 204, response.text)
        const after = await certSnapshot('x509-group')
        assert.equal(after.body.verified, true)
        assert.equal(after.body.info.sha1Thumbprint, ca.thumbprint)
        assert.notEqual(after.body.etag, before.body.etag)
        assert.notEqual((await get('x509-group')).body.etag, groupBefore.etag)
        // The code is used up.
        expectError(await verify((await issue(verificationCode, ca)).pem), 409, 'Conflict')
        // Uploading the same certificate again keeps it verified; another one is unverified.
        const again = await server.request('PUT', certPath('x509-group'), { body: { certificate: ca.pem } })
        assert.equal(again.body.verified, true)
      })

      it("takes verified: true from the uploader (IoT Central's example)", async () => {
        await create('x509-trusted', X509_GROUP)
        const response = await server.request('PUT', certPath('x509-trusted'), {
          body: { verified: true, certificate: ca.pem },
        })
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body.verified, true)
        const replaced = await server.request('PUT', certPath('x509-trusted'), { body: { certificate: other.pem } })
        assert.equal(replaced.body.verified, false)
      })

      it('takes certificates inline in the group and removes them with a merge patch', async () => {
        const group = await create('x509-inline', {
          ...X509_GROUP,
          attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: ca.pem } } } },
        })
        assert.equal(group.attestation.x509.signingCertificates.primary.info.sha1Thumbprint, ca.thumbprint)
        const bad = await put('x509-inline', {
          ...X509_GROUP,
          attestation: { type: 'x509', x509: { signingCertificates: { secondary: { certificate: 'junk' } } } },
        })
        expectError(bad, 422, 'UnprocessableEntity', /^attestation\.x509\.signingCertificates\.secondary\.certificate: /)
        const patched = await server.request('PATCH', path('x509-inline'), {
          body: { attestation: { x509: { signingCertificates: { primary: null } } } },
          contentType: MERGE_PATCH,
        })
        assert.equal(patched.status, 200, patched.text)
        assert.deepEqual(patched.body.attestation.x509.signingCertificates, {})
      })

      it('deletes a certificate, and a group with its certificates', async () => {
        const deleted = await server.request('DELETE', certPath('x509-group', 'secondary'))
        assert.equal(deleted.status, 204)
        expectError(await server.request('GET', certPath('x509-group', 'secondary')), 404, 'NotFound')
        expectError(await server.request('DELETE', certPath('x509-group', 'secondary')), 404, 'NotFound')
        assert.equal((await server.request('DELETE', path('x509-group'))).status, 204)
        await create('x509-group', X509_GROUP)
        expectError(await server.request('GET', certPath('x509-group')), 404, 'NotFound')
      })
    })

    describe('secrets', () => {
      it('never writes a key to the log, and seals keys at rest', async () => {
        assert.ok(secrets.size >= 6, 'keys were seen')
        const log = server.logs.join('\n')
        for (const key of secrets) assert.ok(!log.includes(key), 'a key is in the log')
        const rows = await server.app.store.db.selectFrom('enrollment_groups').selectAll().execute()
        const stored = JSON.stringify(rows)
        for (const key of secrets) assert.ok(!stored.includes(key), 'a key is stored in the clear')
      })
    })
  })
}
