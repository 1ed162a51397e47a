import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import {
  dpsRequest,
  groupDeviceKey,
  privateKeyPem,
  registrationSas,
  startDpsServer,
  type DpsServer,
  type RawResponse,
} from '../helpers/dps.js'
import { TestClock } from '../helpers/server.js'
import { createCa, issue } from '../helpers/x509-chain.js'

const VERSION = '2019-03-31'
const HOUR_S = 3600

/** The DPS routes spoken to by hand: api-versions, credentials, bodies, polling, error shapes. */
for (const dialect of DIALECTS) {
  describe(`DPS routes (${dialect})`, () => {
    let dps: DpsServer
    let clock: TestClock
    let groupKey: string

    const se = () => Math.floor(clock.now / 1000) + HOUR_S
    const sas = (id: string, options?: Parameters<typeof registrationSas>[4], key = groupDeviceKey(groupKey, id)) =>
      registrationSas(dps.idScope, id, key, se(), options)
    const registerPath = (id: string, version: string | null = VERSION, scope = dps.idScope) =>
      `/${scope}/registrations/${id}/register${version === null ? '' : `?api-version=${version}`}`
    const operationPath = (id: string, operationId: string) =>
      `/${dps.idScope}/registrations/${id}/operations/${operationId}?api-version=${VERSION}`
    /** `authorization` null: none is sent. */
    const register = (id: string, authorization: string | null = sas(id), body = JSON.stringify({ registrationId: id })) =>
      dpsRequest(dps, 'PUT', registerPath(id), { ...(authorization === null ? {} : { authorization }), body })
    const device = (id: string) => dps.call('GET', `/api/devices/${id}`)

    /** A DPS error: status, six-digit code, the four members and JSON content type. */
    const expectDpsError = (response: RawResponse, status: number, errorCode: number, message?: RegExp) => {
      assert.equal(response.status, status, response.text)
      assert.match(String(response.headers['content-type']), /^application\/json/)
      assert.deepEqual(Object.keys(response.body).sort(), ['errorCode', 'message', 'timestampUtc', 'trackingId'])
      assert.equal(response.body.errorCode, errorCode)
      assert.match(response.body.trackingId, /^[0-9a-f-]{36}$/)
      assert.ok(!Number.isNaN(Date.parse(response.body.timestampUtc)))
      if (message) assert.match(response.body.message, message)
    }

    before(async () => {
      clock = new TestClock()
      dps = await startDpsServer(dialect, clock)
      groupKey = (await dps.must('GET', '/api/enrollmentGroups/SAS-IoT-Devices')).attestation.symmetricKey.primaryKey
    })
    after(async () => dps?.close())

    describe('api-versions', () => {
      it('serves 2019-03-31, 2021-06-01 and 2021-10-01 with 202 assigning and retry-after', async () => {
        for (const [i, version] of ['2019-03-31', '2021-06-01', '2021-10-01'].entries()) {
          const id = `raw-version-${i}`
          const response = await dpsRequest(dps, 'PUT', registerPath(id, version), {
            authorization: sas(id),
            body: JSON.stringify({ registrationId: id }),
          })
          assert.equal(response.status, 202, response.text)
          assert.match(String(response.headers['content-type']), /^application\/json/)
          assert.equal(response.headers['retry-after'], '1')
          assert.equal(response.body.status, 'assigning')
          assert.match(response.body.operationId, /^[0-9a-f]{16}\.[0-9a-f]{32}$/)
          assert.deepEqual(response.body.registrationState, { registrationId: id, status: 'assigning' })
        }
      })

      it('refuses a missing or unknown api-version with a DPS error, creating nothing', async () => {
        for (const version of [null, '2022-07-31', '2018-11-01']) {
          const response = await dpsRequest(dps, 'PUT', registerPath('raw-badversion', version), {
            authorization: sas('raw-badversion'),
            body: '{}',
          })
          expectDpsError(response, 400, 400001, /api-version/)
        }
        assert.equal((await device('raw-badversion')).status, 404)
      })
    })

    describe('credentials', () => {
      it('takes the SAS with sr URL-encoded as well as raw (the signature covers sr as sent)', async () => {
        assert.equal((await register('raw-encoded', sas('raw-encoded', { encodeResource: true }))).status, 202)
        assert.equal((await register('raw-plain', sas('raw-plain'))).status, 202)
      })

      it('refuses every malformed or misdirected SAS with 401, creating nothing', async () => {
        const id = 'raw-refused'
        const key = groupDeviceKey(groupKey, id)
        const good = sas(id)
        const cases = [
          null,
          'Bearer abc',
          good.replace('SharedAccessSignature ', ''),
          good.replace('&skn=registration', ''),
          sas(id, { keyName: 'device' }),
          `${good}&sig=again`,
          good.replace(/sig=[^&]+/, 'sig=AAAA'),
          registrationSas(dps.idScope, 'raw-other', key, se()),
          registrationSas('0ne99999999', id, key, se()),
          registrationSas(dps.idScope, id, key, Math.floor(clock.now / 1000) - 1),
        ]
        for (const authorization of cases) expectDpsError(await register(id, authorization), 401, 401002)
        assert.equal((await device(id)).status, 404)
      })

      it('takes a client certificate chain from the TLS session: leaf and intermediate under a verified root', async () => {
        const root = await createCa('Raw root')
        const path = '/api/enrollmentGroups/raw-x509/certificates/primary'
        await dps.must('PUT', '/api/enrollmentGroups/raw-x509', {
          displayName: 'Raw X.509',
          type: 'iot',
          attestation: { type: 'x509' },
        })
        await dps.must('PUT', path, { certificate: root.pem })
        const { verificationCode } = await dps.must('POST', `${path}/generateVerificationCode`)
        await dps.must('POST', `${path}/verify`, { certificate: (await issue(verificationCode, root)).pem })
        const intermediate = await issue('Raw intermediate', root)
        const leaf = await issue('raw-chain', intermediate)
        const key = await privateKeyPem(leaf)
        const body = JSON.stringify({ registrationId: 'raw-chain' })
        const alone = await dpsRequest(dps, 'PUT', registerPath('raw-chain'), { cert: leaf.pem, key, body })
        expectDpsError(alone, 401, 401002)
        const chained = await dpsRequest(dps, 'PUT', registerPath('raw-chain'), {
          cert: `${leaf.pem}\n${intermediate.pem}`,
          key,
          body,
        })
        assert.equal(chained.status, 202, chained.text)
        assert.equal((await device('raw-chain')).body.provisioned, true)
      })
    })

    describe('bodies', () => {
      it('refuses a body that is not a JSON object, or names another registration (400)', async () => {
        for (const body of ['{', '[]', '"x"', JSON.stringify({ registrationId: 'someone-else' })]) {
          expectDpsError(await register('raw-body', sas('raw-body'), body), 400, 400004)
        }
        assert.equal((await device('raw-body')).status, 404)
      })

      it('takes a request without body', async () => {
        const response = await dpsRequest(dps, 'PUT', registerPath('raw-nobody'), { authorization: sas('raw-nobody') })
        assert.equal(response.status, 202, response.text)
      })
    })

    describe('operations', () => {
      let operationId: string
      before(async () => {
        const response = await register('raw-poll')
        assert.equal(response.status, 202, response.text)
        operationId = response.body.operationId
      })

      it('answers 200 assigned to a poll carrying a {} body, as the SDK sends it', async () => {
        const response = await dpsRequest(dps, 'GET', operationPath('raw-poll', operationId), {
          authorization: sas('raw-poll'),
          body: '{}',
        })
        assert.equal(response.status, 200, response.text)
        assert.match(String(response.headers['content-type']), /^application\/json/)
        assert.equal(response.body.operationId, operationId)
        assert.equal(response.body.status, 'assigned')
        const state = response.body.registrationState
        assert.deepEqual(Object.keys(state).sort(), [
          'assignedHub',
          'createdDateTimeUtc',
          'deviceId',
          'etag',
          'lastUpdatedDateTimeUtc',
          'registrationId',
          'status',
          'substatus',
        ])
        assert.equal(state.assignedHub, 'localhost')
        assert.equal(state.deviceId, 'raw-poll')
      })

      it('even for a browser: the page fallback does not take these paths', async () => {
        const response = await dpsRequest(dps, 'GET', operationPath('raw-poll', operationId), {
          authorization: sas('raw-poll'),
          headers: { accept: 'text/html' },
        })
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body.status, 'assigned')
      })

      it("refuses a poll without credentials (401), and another registration's or an unknown operation (404)", async () => {
        expectDpsError(await dpsRequest(dps, 'GET', operationPath('raw-poll', operationId)), 401, 401002)
        await register('raw-poll-other')
        const other = await dpsRequest(dps, 'GET', operationPath('raw-poll-other', operationId), {
          authorization: sas('raw-poll-other'),
        })
        expectDpsError(other, 404, 404001)
        const unknown = await dpsRequest(dps, 'GET', operationPath('raw-poll', 'f'.repeat(49)), {
          authorization: sas('raw-poll'),
        })
        expectDpsError(unknown, 404, 404001)
      })

      it('forgets an operation once it expires (15 minutes)', async () => {
        const { body } = await register('raw-expiring')
        clock.advance(901_000)
        try {
          const response = await dpsRequest(dps, 'GET', operationPath('raw-expiring', body.operationId), {
            authorization: sas('raw-expiring'),
          })
          expectDpsError(response, 404, 404001)
        } finally {
          clock.advance(-901_000)
        }
      })
    })

    describe('registration status lookup', () => {
      const lookup = (id: string) =>
        dpsRequest(dps, 'POST', `/${dps.idScope}/registrations/${id}?api-version=${VERSION}`, {
          authorization: sas(id),
          body: '{}',
        })

      it('answers the registration state of a provisioned device', async () => {
        await register('raw-lookup')
        const response = await lookup('raw-lookup')
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body.registrationId, 'raw-lookup')
        assert.equal(response.body.status, 'assigned')
        assert.equal(response.body.assignedHub, 'localhost')
      })

      it('answers 404 for a device that never registered, 401 without the right key or any credential', async () => {
        await dps.must('PUT', '/api/devices/raw-unregistered', { displayName: 'Unregistered' })
        expectDpsError(await lookup('raw-unregistered'), 404, 404001)
        const wrong = await dpsRequest(dps, 'POST', `/${dps.idScope}/registrations/raw-lookup?api-version=${VERSION}`, {
          authorization: sas('raw-lookup', {}, groupDeviceKey(groupKey, 'nobody')),
        })
        expectDpsError(wrong, 401, 401002)
        const anonymous = await dpsRequest(dps, 'POST', `/${dps.idScope}/registrations/raw-lookup?api-version=${VERSION}`)
        expectDpsError(anonymous, 401, 401002)
      })
    })

    describe('the service, called directly (as the MQTT endpoint does)', () => {
      it('creates one device when two registrations of it race', async () => {
        const registrations = dps.server.app.services.deviceRegistrations
        const request = { idScope: dps.idScope, registrationId: 'raw-race', proof: { kind: 'sas' as const, authorization: sas('raw-race') } }
        const answers = await Promise.all([registrations.register(request), registrations.register(request)])
        assert.deepEqual(answers.map((a) => a.status), [202, 202])
        assert.equal((await device('raw-race')).body.provisioned, true)
      })

      it('accepts the ID scope in any case, refuses an empty certificate chain', async () => {
        const registrations = dps.server.app.services.deviceRegistrations
        const lower = dps.idScope.toLowerCase()
        const answer = await registrations.register({
          idScope: lower,
          registrationId: 'raw-case',
          proof: { kind: 'sas', authorization: registrationSas(lower, 'raw-case', groupDeviceKey(groupKey, 'raw-case'), se()) },
        })
        assert.equal(answer.status, 202)
        const refused = await registrations.register({ idScope: dps.idScope, registrationId: 'raw-nochain', proof: { kind: 'x509', chain: [] } })
        assert.equal(refused.status, 401)
      })
    })
  })
}
