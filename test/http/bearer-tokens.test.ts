import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { exportSPKI, generateKeyPair, SignJWT } from 'jose'
import { DIALECTS } from '../helpers/dialects.js'
import { TestIssuer } from '../helpers/issuer.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'
import { writeTrustFile } from '../helpers/trust-file.js'

const AUDIENCE = 'https://apps.azureiotcentral.com'

/** A trust file for the generic issuer: email trusted, keys refetched without cooldown. */
function trustFile(issuer: TestIssuer, extra: Record<string, unknown> = {}): string {
  return writeTrustFile([
    { issuer: issuer.generic, trustEmail: true, keyRefetchCooldownSeconds: 0, ...extra },
    { entraTenant: issuer.tenantId, keyRefetchCooldownSeconds: 0 },
  ])
}

const bearer = (token: string) => `Bearer ${token}`

for (const dialect of DIALECTS) {
  describe(`bearer tokens (${dialect})`, () => {
    let issuer: TestIssuer
    let server: TestServer
    const spObject = randomUUID()
    const adminSpObject = randomUUID()
    const groupObject = randomUUID()

    /** An app-only token of the Entra tenant, v2 form unless asked. */
    const appToken = (oid: string, form: 'v1' | 'v2' = 'v2', extra: Record<string, unknown> = {}) =>
      issuer.sign(
        { tid: issuer.tenantId, oid, sub: oid, idtyp: 'app', appid: randomUUID(), ver: form === 'v1' ? '1.0' : '2.0', ...extra },
        { issuer: form === 'v1' ? issuer.entra.v1Issuer(issuer.tenantId) : issuer.entra.v2Issuer(issuer.tenantId) },
      )
    /** A person's token from the Entra tenant. */
    const personToken = (oid: string, extra: Record<string, unknown> = {}) =>
      issuer.sign(
        { tid: issuer.tenantId, oid, sub: oid, scp: 'user_impersonation', ...extra },
        { issuer: issuer.entra.v2Issuer(issuer.tenantId) },
      )

    before(async () => {
      issuer = await TestIssuer.start()
      server = await startServer(dialect, {
        config: { trustFile: trustFile(issuer) },
        entra: issuer.entra,
      })
      // Discovery runs in the background at start: wait until the issuers have been reached.
      for (let i = 0; i < 100 && issuer.jwksFetches < 2; i++) await new Promise((r) => setTimeout(r, 20))
      const put = (id: string, body: unknown) => server.request('PUT', `/api/users/${id}`, { body })
      assert.equal(
        (await put('build-bot', { type: 'servicePrincipal', tenantId: issuer.tenantId, objectId: spObject, roles: [{ role: ROLE_IDS.operator }] })).status,
        200,
      )
      assert.equal(
        (await put('admin-bot', { type: 'servicePrincipal', tenantId: issuer.tenantId, objectId: adminSpObject, roles: [{ role: ROLE_IDS.administrator }] })).status,
        200,
      )
      assert.equal(
        (await put('operators', { type: 'adGroup', tenantId: issuer.tenantId, objectId: groupObject, roles: [{ role: ROLE_IDS.operator }] })).status,
        200,
      )
    })
    after(async () => {
      await server?.close()
      await issuer?.close()
    })

    it('admits a service principal that is a user, with v2 and v1 tokens', async () => {
      for (const form of ['v2', 'v1'] as const) {
        const response = await server.request('GET', '/api/devices', { auth: bearer(await appToken(spObject, form)) })
        assert.equal(response.status, 200, `${form}: ${response.text}`)
        assert.deepEqual(response.body, { value: [] })
      }
    })

    it('gives the caller exactly its user’s roles: an Operator gets 403 insufficient_scope on admin routes', async () => {
      const response = await server.request('GET', '/api/apiTokens', { auth: bearer(await appToken(spObject)) })
      expectError(response, 403, 'Forbidden', /apiTokens\.read/)
      assert.match(response.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/)
      const admin = await server.request('GET', '/api/apiTokens', { auth: bearer(await appToken(adminSpObject)) })
      assert.equal(admin.status, 200)
    })

    it('answers 403 naming tenant and object id for a principal that is not a user', async () => {
      const stranger = randomUUID()
      const response = await server.request('GET', '/api/devices', { auth: bearer(await appToken(stranger)) })
      expectError(
        response,
        403,
        'Forbidden',
        `The service principal with tenant ${issuer.tenantId} and object id ${stranger} is not a user of this application.`,
      )
    })

    it('applies a change of the user’s roles and the user’s removal on the next request', async () => {
      const oid = randomUUID()
      const token = bearer(await appToken(oid))
      await server.request('PUT', '/api/users/temp-bot', {
        body: { type: 'servicePrincipal', tenantId: issuer.tenantId, objectId: oid, roles: [{ role: ROLE_IDS.administrator }] },
      })
      assert.equal((await server.request('GET', '/api/apiTokens', { auth: token })).status, 200)
      const patched = await server.request('PATCH', '/api/users/temp-bot', { body: { roles: [{ role: ROLE_IDS.operator }] } })
      assert.equal(patched.status, 200)
      expectError(await server.request('GET', '/api/apiTokens', { auth: token }), 403, 'Forbidden')
      assert.equal((await server.request('GET', '/api/devices', { auth: token })).status, 200)
      assert.equal((await server.request('DELETE', '/api/users/temp-bot')).status, 204)
      expectError(await server.request('GET', '/api/devices', { auth: token }), 403, 'Forbidden', /is not a user/)
    })

    it('does not let a bearer caller change its own roles', async () => {
      const response = await server.request('PATCH', '/api/users/admin-bot', {
        auth: bearer(await appToken(adminSpObject)),
        body: { roles: [{ role: ROLE_IDS.operator }] },
      })
      expectError(response, 403, 'Forbidden', 'You cannot change your own role assignments.')
      assert.match(response.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/)
      const user = await server.request('GET', '/api/users/admin-bot')
      assert.deepEqual(user.body.roles, [{ role: ROLE_IDS.administrator }])
    })

    it('gives group roles to a person in an AD group, never to a service principal', async () => {
      const person = await personToken(randomUUID(), { groups: [randomUUID(), groupObject] })
      assert.equal((await server.request('GET', '/api/devices', { auth: bearer(person) })).status, 200)
      const app = await appToken(randomUUID(), 'v2', { groups: [groupObject] })
      expectError(await server.request('GET', '/api/devices', { auth: bearer(app) }), 403, 'Forbidden', /is not a user/)
    })

    it('says when a token carried no group list (group overage)', async () => {
      const token = await personToken(randomUUID(), {
        _claim_names: { groups: 'src1' },
        _claim_sources: { src1: { endpoint: 'https://graph.windows.net/x/users/y/getMemberObjects' } },
      })
      expectError(
        await server.request('GET', '/api/devices', { auth: bearer(token) }),
        403,
        'Forbidden',
        /carried no group list/,
      )
    })

    it('binds an email user on first sign-in from an issuer trusted for email, then only that identity', async () => {
      await server.request('PUT', '/api/users/ann', {
        body: { type: 'email', email: 'Ann@Example.com', roles: [{ role: ROLE_IDS.operator }] },
      })
      const ann = randomUUID()
      const first = await issuer.sign({ sub: ann, email: 'ann@example.com', scope: 'openid' })
      assert.equal((await server.request('GET', '/api/devices', { auth: bearer(first) })).status, 200)
      const again = await issuer.sign({ sub: ann, email: 'changed@example.com' })
      assert.equal((await server.request('GET', '/api/devices', { auth: bearer(again) })).status, 200)
      const impostor = await issuer.sign({ sub: randomUUID(), email: 'ann@example.com' })
      expectError(await server.request('GET', '/api/devices', { auth: bearer(impostor) }), 403, 'Forbidden')
    })

    it('never binds on the email claim of an issuer not trusted for email (Entra)', async () => {
      await server.request('PUT', '/api/users/bob', {
        body: { type: 'email', email: 'bob@example.com', roles: [{ role: ROLE_IDS.operator }] },
      })
      const token = await personToken(randomUUID(), { email: 'bob@example.com' })
      expectError(await server.request('GET', '/api/devices', { auth: bearer(token) }), 403, 'Forbidden')
    })

    describe('refuses every token it must not accept, with 401 invalid_token', () => {
      const refuse = async (auth: string, message?: string | RegExp) => {
        const response = await server.request('GET', '/api/devices', { auth })
        expectError(response, 401, 'Unauthenticated', message)
        assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/)
      }

      it('expired, beyond the clock tolerance; accepted within it', async () => {
        const expired = (seconds: number) =>
          issuer.sign(
            { tid: issuer.tenantId, oid: spObject, idtyp: 'app' },
            { issuer: issuer.entra.v2Issuer(issuer.tenantId), expiresIn: -seconds },
          )
        await refuse(bearer(await expired(120)), /^The token expired at /)
        const recent = await expired(30)
        assert.equal((await server.request('GET', '/api/devices', { auth: bearer(recent) })).status, 200)
      })

      it('not yet valid', async () => {
        const token = await issuer.sign(
          { tid: issuer.tenantId, oid: spObject, idtyp: 'app' },
          { issuer: issuer.entra.v2Issuer(issuer.tenantId), notBefore: 600 },
        )
        await refuse(bearer(token), /^The token is not valid before /)
      })

      it('issued in the future (iat) beyond the clock tolerance; accepted within it', async () => {
        const issuedIn = (seconds: number) =>
          issuer.sign(
            { tid: issuer.tenantId, oid: spObject, idtyp: 'app' },
            { issuer: issuer.entra.v2Issuer(issuer.tenantId), issuedAt: seconds, expiresIn: 2 * 86_400 },
          )
        await refuse(bearer(await issuedIn(86_400)), /^The token claims to be issued in the future \(iat /)
        await refuse(bearer(await issuedIn(120)), /issued in the future/)
        const skewed = await issuedIn(30)
        assert.equal((await server.request('GET', '/api/devices', { auth: bearer(skewed) })).status, 200)
      })

      it('without exp', async () => {
        const token = await issuer.sign(
          { tid: issuer.tenantId, oid: spObject, idtyp: 'app' },
          { issuer: issuer.entra.v2Issuer(issuer.tenantId), expiresIn: null },
        )
        await refuse(bearer(token), 'The token has no expiry (exp).')
      })

      it('from an issuer that is not trusted, even with a trusted key', async () => {
        const token = await issuer.sign({ oid: spObject, idtyp: 'app' }, { issuer: 'https://evil.example/' })
        await refuse(bearer(token), "The token's issuer 'https://evil.example/' is not trusted by this application.")
      })

      it('for another audience', async () => {
        const token = await issuer.sign(
          { tid: issuer.tenantId, oid: spObject, idtyp: 'app' },
          { issuer: issuer.entra.v2Issuer(issuer.tenantId), audience: 'https://graph.microsoft.com' },
        )
        await refuse(bearer(token), /audience "https:\/\/graph\.microsoft\.com" is not accepted/)
      })

      it('accepts an array aud that contains an accepted audience', async () => {
        const token = await issuer.sign(
          { tid: issuer.tenantId, oid: spObject, idtyp: 'app' },
          { issuer: issuer.entra.v2Issuer(issuer.tenantId), audience: ['api://other', AUDIENCE] },
        )
        assert.equal((await server.request('GET', '/api/devices', { auth: bearer(token) })).status, 200)
      })

      it('alg none', async () => {
        const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
        const now = Math.floor(Date.now() / 1000)
        const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
          iss: issuer.entra.v2Issuer(issuer.tenantId), aud: AUDIENCE, tid: issuer.tenantId, oid: adminSpObject, idtyp: 'app', exp: now + 600, iat: now,
        })}.`
        await refuse(bearer(unsigned))
      })

      it('HMAC signed with the issuer’s public key', async () => {
        const { publicKey } = await generateKeyPair('RS256', { extractable: true })
        const pem = await exportSPKI(publicKey)
        const token = await new SignJWT({ tid: issuer.tenantId, oid: adminSpObject, idtyp: 'app' })
          .setProtectedHeader({ alg: 'HS256', kid: issuer.currentKey.kid })
          .setIssuer(issuer.entra.v2Issuer(issuer.tenantId))
          .setAudience(AUDIENCE)
          .setExpirationTime('10m')
          .sign(new TextEncoder().encode(pem))
        await refuse(bearer(token), /signing algorithm is not accepted/)
      })

      it('signed by a key the token brings along (jwk, jku, x5u headers)', async () => {
        const attacker = await TestIssuer.newKey()
        for (const header of [
          { jwk: attacker.publicJwk },
          { jku: `${issuer.base}/attacker-keys` },
          { x5u: `${issuer.base}/attacker.pem` },
        ]) {
          const token = await issuer.sign(
            { tid: issuer.tenantId, oid: adminSpObject, idtyp: 'app' },
            { issuer: issuer.entra.v2Issuer(issuer.tenantId), key: attacker, header },
          )
          await refuse(bearer(token))
        }
      })

      it('with an unknown critical header', async () => {
        const token = await issuer.sign(
          { tid: issuer.tenantId, oid: spObject, idtyp: 'app' },
          {
            issuer: issuer.entra.v2Issuer(issuer.tenantId),
            header: { crit: ['x-unknown'], 'x-unknown': 1 },
            crit: { 'x-unknown': true },
          },
        )
        await refuse(bearer(token))
      })

      it('with a tampered payload', async () => {
        const token = await appToken(spObject)
        const [h, p, s] = token.split('.')
        const payload = JSON.parse(Buffer.from(p!, 'base64url').toString())
        payload.oid = adminSpObject
        await refuse(bearer(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`))
      })

      it('garbage after Bearer, and a bearer token in the query string', async () => {
        await refuse(bearer('not.a.jwt'))
        const token = await appToken(spObject)
        const response = await server.request('GET', '/api/devices', { auth: null, query: { access_token: token } })
        expectError(response, 401, 'Unauthenticated')
      })
    })

    it('follows key rotation: a token signed with a new key is accepted at once', async () => {
      await issuer.rotate()
      const response = await server.request('GET', '/api/devices', { auth: bearer(await appToken(spObject)) })
      assert.equal(response.status, 200, response.text)
    })

    it('keeps accepting tokens signed with known keys while the issuer is down', async () => {
      const token = await appToken(spObject)
      await issuer.down()
      try {
        const fresh = await appToken(spObject)
        assert.equal((await server.request('GET', '/api/devices', { auth: bearer(token) })).status, 200)
        assert.equal((await server.request('GET', '/api/devices', { auth: bearer(fresh) })).status, 200)
        // A key the server never saw cannot be fetched now: fail closed, and say why.
        const unknown = await TestIssuer.newKey()
        const token2 = await issuer.sign(
          { tid: issuer.tenantId, oid: spObject, idtyp: 'app' },
          { issuer: issuer.entra.v2Issuer(issuer.tenantId), key: unknown },
        )
        const response = await server.request('GET', '/api/devices', { auth: bearer(token2) })
        assert.ok(response.status === 503 || response.status === 401, `got ${response.status}`)
        assert.equal(response.body.error.code, response.status === 503 ? 'ServiceUnavailable' : 'Unauthenticated')
      } finally {
        await issuer.up()
      }
    })

    it('never writes a bearer token to the log', async () => {
      const token = await appToken(spObject)
      await server.request('GET', '/api/devices', { auth: bearer(token) })
      await server.request('GET', '/api/devices', { auth: bearer(`${token}x`) })
      const signature = token.split('.')[2]!
      assert.ok(!server.logs.join('\n').includes(signature))
    })
  })
}

describe('trust configuration', () => {
  it('starts while a trusted issuer is down, refuses its tokens with 503, and admits them once it is up', async () => {
    const issuer = await TestIssuer.start()
    await issuer.down()
    const server = await startServer(DIALECTS[0]!, { config: { trustFile: trustFile(issuer) }, entra: issuer.entra })
    try {
      const oid = randomUUID()
      await server.request('PUT', '/api/users/late-bot', {
        body: { type: 'servicePrincipal', tenantId: issuer.tenantId, objectId: oid, roles: [{ role: ROLE_IDS.operator }] },
      })
      const token = `Bearer ${await issuer.sign({ tid: issuer.tenantId, oid, idtyp: 'app' }, { issuer: issuer.entra.v2Issuer(issuer.tenantId) })}`
      const refused = await server.request('GET', '/api/devices', { auth: token })
      expectError(refused, 503, 'ServiceUnavailable', /cannot be fetched right now/)
      assert.ok(refused.headers.get('retry-after'))
      assert.ok(server.logs.some((line) => line.includes('trusted issuer could not be reached')))
      await issuer.up()
      let status = 0
      for (let i = 0; i < 60 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100))
        status = (await server.request('GET', '/api/devices', { auth: token })).status
      }
      assert.equal(status, 200)
    } finally {
      await server.close()
      await issuer.close()
    }
  })

  it('refuses to start with a plain-http issuer that is not on loopback', async () => {
    await assert.rejects(
      startServer(DIALECTS[0]!, { config: { trustIssuers: ['http://issuer.example.com/'] } }),
      /must use https/,
    )
  })

  it('refuses a trust file with a clock tolerance above 300 s', async () => {
    const issuer = await TestIssuer.start()
    try {
      await assert.rejects(
        startServer(DIALECTS[0]!, { config: { trustFile: trustFile(issuer, { clockToleranceSeconds: 301 }) } }),
        /clockToleranceSeconds/,
      )
    } finally {
      await issuer.close()
    }
  })

  it('without any trusted issuer, answers Bearer tokens with 401', async () => {
    const server = await startServer(DIALECTS[0]!, { config: { embeddedIdp: false } })
    try {
      expectError(
        await server.request('GET', '/api/devices', { auth: 'Bearer a.b.c' }),
        401,
        'Unauthenticated',
        'Bearer tokens are not accepted: this server trusts no token issuer.',
      )
    } finally {
      await server.close()
    }
  })
})
