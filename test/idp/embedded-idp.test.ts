import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { sql } from 'kysely'
import { AccountService } from '../../src/idp/accounts.js'
import type { EmbeddedIdp } from '../../src/idp/embedded-idp.js'
import {
  ServicePrincipalService,
  type CreatedServicePrincipal,
} from '../../src/idp/service-principals.js'
import { rotateSigningKeys } from '../../src/idp/signing-keys.js'
import { Browser, formOf, signInWithDeviceCode } from '../helpers/browser.js'
import { DIALECTS } from '../helpers/dialects.js'
import { startServer, type TestServer } from '../helpers/server.js'

const RESOURCE = 'https://apps.azureiotcentral.com'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

async function post(url: string, fields: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

for (const dialect of DIALECTS) {
  describe(`embedded identity provider (${dialect})`, () => {
    let server: TestServer
    let idp: EmbeddedIdp
    let bot: CreatedServicePrincipal
    let accounts: AccountService
    let tokenUrl: string

    const clientCredentials = (fields: Record<string, string> = {}) =>
      post(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: bot.appId,
        client_secret: bot.password,
        resource: RESOURCE,
        ...fields,
      })

    const verify = (token: string) =>
      jwtVerify(token, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), {
        issuer: idp.issuer,
        audience: RESOURCE,
        algorithms: ['RS256'],
      })

    before(async () => {
      server = await startServer(dialect)
      idp = server.app.idp!
      const clock = server.clock.read
      bot = await new ServicePrincipalService(server.app.store, idp.tenantId, clock).create(
        'build-bot',
      )
      accounts = new AccountService(server.app.store, clock)
      tokenUrl = `${idp.issuer}/token`
    })
    after(async () => server?.close())

    it('publishes its discovery document under /oidc, with the issuer naming the public URL', async () => {
      assert.equal(idp.issuer, `${server.url}/oidc`)
      assert.match(idp.tenantId, UUID)
      const response = await fetch(`${server.url}/oidc/.well-known/openid-configuration`)
      assert.equal(response.status, 200)
      const discovery = (await response.json()) as Record<string, any>
      assert.equal(discovery.issuer, idp.issuer)
      assert.equal(discovery.jwks_uri, `${idp.issuer}/jwks`)
      assert.equal(discovery.token_endpoint, `${idp.issuer}/token`)
      assert.equal(discovery.device_authorization_endpoint, `${idp.issuer}/device/auth`)
      for (const grant of [
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
        'authorization_code',
      ]) {
        assert.ok(discovery.grant_types_supported.includes(grant), `grant ${grant} is offered`)
      }
      assert.deepEqual(discovery.code_challenge_methods_supported, ['S256'])
    })

    it('gives a service principal an RS256 JWT with Entra-shaped app-only claims', async () => {
      const { status, body } = await clientCredentials()
      assert.equal(status, 200, JSON.stringify(body))
      assert.equal(body.token_type, 'Bearer')
      assert.equal(body.expires_in, 3600)
      const { payload, protectedHeader } = await verify(body.access_token)
      assert.equal(protectedHeader.alg, 'RS256')
      assert.equal(typeof protectedHeader.kid, 'string')
      assert.equal(payload.iss, idp.issuer)
      assert.equal(payload.aud, RESOURCE)
      assert.equal(payload.tid, idp.tenantId)
      assert.equal(payload.oid, bot.objectId)
      assert.equal(payload.sub, bot.objectId)
      assert.notEqual(bot.objectId, bot.appId)
      assert.equal(payload.idtyp, 'app')
      assert.equal(payload.appid, bot.appId)
      assert.equal(payload.azp, bot.appId)
      assert.equal(payload.ver, '2.0')
      assert.equal(payload.exp! - payload.iat!, 3600)
      assert.equal(payload.nbf, payload.iat)
      assert.equal(payload.scp, undefined, 'app-only tokens carry no scp')
    })

    it('answers 401 invalid_client to a wrong secret and to an unknown client, alike', async () => {
      const wrong = await clientCredentials({ client_secret: `${bot.password.slice(0, -1)}${bot.password.endsWith('x') ? 'y' : 'x'}` })
      const unknown = await clientCredentials({ client_id: '00000000-0000-4000-8000-000000000000' })
      const garbage = await clientCredentials({ client_secret: 'hunter2' })
      for (const answer of [wrong, unknown, garbage]) {
        assert.equal(answer.status, 401)
        assert.equal(answer.body.error, 'invalid_client')
        assert.equal(answer.body.access_token, undefined)
      }
      assert.deepEqual(wrong.body, unknown.body)
    })

    it('answers 400 invalid_target to a resource that is not an accepted audience', async () => {
      const { status, body } = await clientCredentials({ resource: 'https://management.azure.com' })
      assert.equal(status, 400)
      assert.equal(body.error, 'invalid_target')
    })

    it('keeps no service principal secret anywhere in the store, only its SHA-256', async () => {
      const tables = ['idp_service_principals', 'idp_artifacts', 'idp_settings', 'idp_signing_keys']
      const dump = []
      for (const table of tables) {
        dump.push(
          JSON.stringify(
            (await sql`select * from ${sql.table(table)}`.execute(server.app.store.db)).rows,
          ),
        )
      }
      const everything = dump.join('\n')
      assert.ok(!everything.includes(bot.password), 'the secret is not stored')
      assert.ok(!everything.includes(bot.password.slice(5, 30)), 'no part of the secret is stored')
      assert.ok(everything.includes(createHash('sha256').update(bot.password).digest('hex')))
    })

    it('lets a person sign in through the device flow pages and gives the CLI a user token', async () => {
      const ada = await accounts.add('ada@example.com', 'correct horse battery', 'Ada Lovelace')
      const device = await post(`${idp.issuer}/device/auth`, {
        client_id: 'opencentral-cli',
        scope: 'openid profile email offline_access user_impersonation',
        resource: RESOURCE,
      })
      assert.equal(device.status, 200, JSON.stringify(device.body))
      const poll = () =>
        post(tokenUrl, {
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          device_code: device.body.device_code,
          client_id: 'opencentral-cli',
        })
      assert.equal((await poll()).body.error, 'authorization_pending')

      const browser = new Browser()
      const codePage = await browser.get(device.body.verification_uri)
      assert.equal(codePage.status, 200)
      assert.deepEqual(formOf(codePage).labelled, ['user_code'])
      const confirmPage = await browser.submit(codePage, formOf(codePage), {
        user_code: device.body.user_code,
      })
      assert.match(confirmPage.html, /OpenCentral CLI/)
      assert.ok(confirmPage.html.includes(device.body.user_code))
      const signInPage = await browser.submit(confirmPage, formOf(confirmPage), {})
      assert.equal(signInPage.status, 200, signInPage.html)
      assert.deepEqual(formOf(signInPage).labelled, ['email', 'password'])
      for (const page of [codePage, confirmPage, signInPage]) {
        assert.ok(!/<script/i.test(page.html), 'no script on the page')
        assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/)
      }
      const done = await browser.submit(signInPage, formOf(signInPage), {
        email: 'ADA@example.com',
        password: 'correct horse battery',
      })
      assert.equal(done.status, 200, done.html)
      assert.match(done.html, /signed in/)

      const { status, body } = await poll()
      assert.equal(status, 200, JSON.stringify(body))
      assert.equal(typeof body.refresh_token, 'string')
      const { payload } = await verify(body.access_token)
      assert.equal(payload.tid, idp.tenantId)
      assert.equal(payload.oid, ada.objectId)
      assert.equal(payload.sub, ada.objectId)
      assert.equal(payload.email, 'ada@example.com')
      assert.equal(payload.upn, 'ada@example.com')
      assert.equal(payload.name, 'Ada Lovelace')
      assert.equal(payload.scp, 'user_impersonation')
      assert.equal(payload.azp, 'opencentral-cli')
      assert.equal(payload.idtyp, 'user')
      assert.equal(payload.ver, '2.0')
      assert.equal(payload.aud, RESOURCE)
    })

    it('says so when the password is wrong, escapes what was typed, and issues no token', async () => {
      await accounts.add('grace@example.com', 'the right password')
      const device = await post(`${idp.issuer}/device/auth`, {
        client_id: 'opencentral-cli',
        scope: 'openid',
      })
      const browser = new Browser()
      const refused = await signInWithDeviceCode(
        browser,
        device.body.verification_uri,
        device.body.user_code,
        {
          email: 'grace@example.com',
          password: 'a wrong password',
        },
      )
      assert.equal(refused.status, 400)
      assert.match(refused.html, /The email or the password is not right\./)
      assert.deepEqual(formOf(refused).labelled, ['email', 'password'])

      const typed = 'grace@example.com"><script>alert(1)</script>'
      const again = await browser.submit(refused, formOf(refused), {
        email: typed,
        password: 'wrong again',
      })
      assert.equal(again.status, 400)
      assert.ok(!again.html.includes('<script>'), 'what was typed is not markup')
      assert.ok(
        again.html.includes(
          'value="grace@example.com&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"',
        ),
      )

      const poll = await post(tokenUrl, {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: device.body.device_code,
        client_id: 'opencentral-cli',
      })
      assert.equal(poll.status, 400)
      assert.equal(poll.body.error, 'authorization_pending')
    })

    it('refuses a deleted service principal at once', async () => {
      const doomed = await new ServicePrincipalService(
        server.app.store,
        idp.tenantId,
        server.clock.read,
      ).create('doomed')
      const ask = () =>
        post(tokenUrl, {
          grant_type: 'client_credentials',
          client_id: doomed.appId,
          client_secret: doomed.password,
          resource: RESOURCE,
        })
      assert.equal((await ask()).status, 200)
      await new ServicePrincipalService(server.app.store, idp.tenantId, server.clock.read).delete(
        'doomed',
      )
      const refused = await ask()
      assert.equal(refused.status, 401)
      assert.equal(refused.body.error, 'invalid_client')
    })

    // Last: it moves the server's clock past the retired key's grace period.
    it('rotates keys: earlier tokens still verify, new ones use the new key, the old key goes after its grace', async () => {
      const before = (await clientCredentials()).body.access_token as string
      const oldKid = decodeProtectedHeader(before).kid
      const rotated = await rotateSigningKeys(server.app.store, Math.floor(server.clock.now / 1000))
      assert.deepEqual(rotated.retired, [oldKid])

      const published = await idp.publicKeys()
      assert.deepEqual(
        published.keys.map((key) => key.kid),
        [rotated.kid, oldKid],
      )
      for (const key of published.keys)
        assert.equal(key.d, undefined, 'no private member is published')
      const local = createLocalJWKSet(published)
      await jwtVerify(before, local, {
        issuer: idp.issuer,
        audience: RESOURCE,
        algorithms: ['RS256'],
      })

      const afterwards = (await clientCredentials()).body.access_token as string
      assert.equal(decodeProtectedHeader(afterwards).kid, rotated.kid)
      await jwtVerify(afterwards, local, {
        issuer: idp.issuer,
        audience: RESOURCE,
        algorithms: ['RS256'],
      })
      await verify(afterwards)

      server.clock.advance(2 * 3600 * 1000 + 1000)
      const later = await idp.publicKeys()
      assert.deepEqual(
        later.keys.map((key) => key.kid),
        [rotated.kid],
      )
      await assert.rejects(
        jwtVerify(before, createLocalJWKSet(later), { issuer: idp.issuer, audience: RESOURCE }),
        { code: 'ERR_JWKS_NO_MATCHING_KEY' },
      )
    })
  })
}

describe('embedded identity provider turned off', () => {
  it('serves nothing under /oidc and exposes no provider', async () => {
    const server = await startServer(DIALECTS[0]!, { config: { embeddedIdp: false } })
    try {
      assert.equal(server.app.idp, null)
      const response = await fetch(`${server.url}/oidc/.well-known/openid-configuration`)
      assert.equal(response.status, 404)
      assert.equal(((await response.json()) as any).error.code, 'NotFound')
    } finally {
      await server.close()
    }
  })
})
