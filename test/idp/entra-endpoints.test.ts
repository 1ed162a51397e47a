import assert from 'node:assert/strict'
import { decodeJwt } from 'jose'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { AccountService } from '../../src/idp/accounts.js'
import {
  ServicePrincipalService,
  type CreatedServicePrincipal,
} from '../../src/idp/service-principals.js'
import { Browser, formOf } from '../helpers/browser.js'
import { DIALECTS } from '../helpers/dialects.js'
import { ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const RESOURCE = 'https://apps.azureiotcentral.com'

async function post(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/** Entra's error body: the OAuth code, the AADSTS number in `error_codes` and in the text, the ids. */
function assertEntraError(body: Record<string, any>, error: string, code: number) {
  assert.equal(body.error, error)
  assert.deepEqual(body.error_codes, [code])
  assert.match(body.error_description, new RegExp(`^AADSTS${code}: `))
  assert.match(body.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/)
  assert.match(body.trace_id, /^[0-9a-f-]{36}$/)
  assert.match(body.correlation_id, /^[\w-]+$/)
}

for (const dialect of DIALECTS) {
  describe(`the embedded issuer at Entra ID's paths (${dialect})`, () => {
    let server: TestServer
    let tenant: string
    let bot: CreatedServicePrincipal

    before(async () => {
      server = await startServer(dialect)
      tenant = server.app.idp!.tenantId
      bot = await new ServicePrincipalService(server.app.store, tenant, server.clock.read).create(
        'entra-bot',
      )
      const added = await server.request('PUT', '/api/users/entra-bot', {
        body: {
          type: 'servicePrincipal',
          tenantId: tenant,
          objectId: bot.objectId,
          roles: [{ role: ROLE_IDS.operator }],
        },
      })
      assert.equal(added.status, 200)
    })
    after(async () => server?.close())

    it('publishes v2 and v1 discovery documents whose endpoints are answered', async () => {
      const v2 = (
        await server.request('GET', `/${tenant}/v2.0/.well-known/openid-configuration`, {
          auth: null,
          query: { 'api-version': null },
        })
      ).body
      assert.equal(v2.issuer, `${server.url}/${tenant}/v2.0`)
      assert.equal(v2.token_endpoint, `${server.url}/${tenant}/oauth2/v2.0/token`)
      assert.equal(
        v2.device_authorization_endpoint,
        `${server.url}/${tenant}/oauth2/v2.0/devicecode`,
      )
      assert.equal(v2.authorization_endpoint, `${server.url}/${tenant}/oauth2/v2.0/authorize`)
      assert.equal(v2.jwks_uri, `${server.url}/${tenant}/discovery/v2.0/keys`)
      const v1 = (
        await server.request('GET', `/${tenant}/.well-known/openid-configuration`, {
          auth: null,
          query: { 'api-version': null },
        })
      ).body
      assert.equal(v1.issuer, `${server.url}/${tenant}/`)
      assert.equal(v1.token_endpoint, `${server.url}/${tenant}/oauth2/token`)
      const keys = await fetch(v2.jwks_uri).then(
        (r) => r.json() as Promise<{ keys: { kid: string; d?: string }[] }>,
      )
      assert.ok(keys.keys.length >= 1)
      assert.ok(
        keys.keys.every((key) => key.d === undefined),
        'no private parts',
      )
    })

    it('v2 token endpoint: client credentials with scope=<resource>/.default, Entra-shaped answer and issuer', async () => {
      const issued = await post(`${server.url}/${tenant}/oauth2/v2.0/token`, {
        grant_type: 'client_credentials',
        client_id: bot.appId,
        client_secret: bot.password,
        scope: `${RESOURCE}/.default`,
      })
      assert.equal(issued.status, 200, JSON.stringify(issued.body))
      assert.equal(issued.body.token_type, 'Bearer')
      // An hour, give or take the second that may tick while the token is made.
      assert.ok(issued.body.expires_in >= 3599 && issued.body.expires_in <= 3600)
      assert.equal(issued.body.ext_expires_in, issued.body.expires_in)
      const claims = decodeJwt(issued.body.access_token)
      assert.equal(claims.iss, `${server.url}/${tenant}/v2.0`)
      assert.equal(claims.aud, RESOURCE)
      assert.equal(claims.ver, '2.0')
      assert.equal(claims.tid, tenant)
      assert.equal(claims.oid, bot.objectId)
      const devices = await server.request('GET', '/api/devices', {
        auth: `Bearer ${issued.body.access_token}`,
      })
      assert.equal(devices.status, 200)
    })

    it('v1 token endpoint: resource=<resource>, v1 answer with strings, issuer <public-url>/<tid>/', async () => {
      const issued = await post(`${server.url}/${tenant}/oauth2/token`, {
        grant_type: 'client_credentials',
        client_id: bot.appId,
        client_secret: bot.password,
        resource: RESOURCE,
      })
      assert.equal(issued.status, 200, JSON.stringify(issued.body))
      assert.equal(issued.body.token_type, 'Bearer')
      assert.match(issued.body.expires_in, /^(3599|3600)$/)
      assert.equal(issued.body.ext_expires_in, issued.body.expires_in)
      assert.equal(issued.body.resource, RESOURCE)
      assert.match(issued.body.expires_on, /^\d+$/)
      const claims = decodeJwt(issued.body.access_token)
      assert.equal(claims.iss, `${server.url}/${tenant}/`)
      assert.equal(claims.ver, '1.0')
      const devices = await server.request('GET', '/api/devices', {
        auth: `Bearer ${issued.body.access_token}`,
      })
      assert.equal(devices.status, 200)
    })

    it("answers refusals in Entra's shape with its AADSTS numbers, quoting the caller's correlation id", async () => {
      const tokenUrl = `${server.url}/${tenant}/oauth2/v2.0/token`
      const scope = `${RESOURCE}/.default`
      const wrong = await post(
        tokenUrl,
        {
          grant_type: 'client_credentials',
          client_id: bot.appId,
          client_secret: 'not-the-secret',
          scope,
        },
        { 'client-request-id': 'caller-correlation-1' },
      )
      assert.equal(wrong.status, 401)
      assertEntraError(wrong.body, 'invalid_client', 7000215)
      assert.equal(wrong.body.correlation_id, 'caller-correlation-1')
      // MSAL puts it in the query string.
      const fromQuery = await post(`${tokenUrl}?client-request-id=caller-correlation-2`, {
        grant_type: 'client_credentials',
        client_id: bot.appId,
        client_secret: 'not-the-secret',
        scope,
      })
      assert.equal(fromQuery.body.correlation_id, 'caller-correlation-2')
      assert.ok(
        !JSON.stringify(wrong.body).includes('not-the-secret'),
        'the secret is never echoed',
      )

      const unknown = await post(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: '00000000-0000-4000-8000-000000000000',
        client_secret: bot.password,
        scope,
      })
      assert.equal(unknown.status, 400)
      assertEntraError(unknown.body, 'unauthorized_client', 700016)

      const otherResource = await post(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: bot.appId,
        client_secret: bot.password,
        scope: 'https://graph.microsoft.com/.default',
      })
      assert.equal(otherResource.status, 400)
      assertEntraError(otherResource.body, 'invalid_resource', 500011)

      const twoResources = await post(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: bot.appId,
        client_secret: bot.password,
        scope: `${scope} https://graph.microsoft.com/.default`,
      })
      assert.equal(twoResources.status, 400)
      assertEntraError(twoResources.body, 'invalid_scope', 28000)

      const noCredential = await post(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: bot.appId,
        scope,
      })
      assert.equal(noCredential.status, 401)
      assertEntraError(noCredential.body, 'invalid_client', 7000218)
    })

    it('authorization code with PKCE through /oauth2/v2.0/authorize, then a refresh token', async () => {
      await new AccountService(server.app.store, server.clock.read).add(
        'lin@example.com',
        'another long passphrase',
      )
      const verifier = randomBytes(32).toString('base64url')
      const authorize = new URL(`${server.url}/${tenant}/oauth2/v2.0/authorize`)
      const redirectUri = `${server.url}/ui/callback`
      authorize.search = new URLSearchParams({
        client_id: 'opencentral-ui',
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: `${RESOURCE}/.default openid profile offline_access`,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        state: 'xyz',
        prompt: 'consent',
      }).toString()
      const browser = new Browser()
      const signIn = await browser.get(authorize.href)
      const landed = await browser.submit(signIn, formOf(signIn), {
        email: 'lin@example.com',
        password: 'another long passphrase',
      })
      const code = new URL(landed.url).searchParams.get('code')
      assert.ok(code, `no code in ${landed.url}: ${landed.html.slice(0, 300)}`)
      const tokenUrl = `${server.url}/${tenant}/oauth2/v2.0/token`
      const scope = `${RESOURCE}/.default openid profile offline_access`
      const issued = await post(tokenUrl, {
        grant_type: 'authorization_code',
        client_id: 'opencentral-ui',
        code,
        code_verifier: verifier,
        redirect_uri: redirectUri,
        scope,
      })
      assert.equal(issued.status, 200, JSON.stringify(issued.body))
      const claims = decodeJwt(issued.body.access_token)
      assert.equal(claims.iss, `${server.url}/${tenant}/v2.0`)
      assert.equal(claims.email, 'lin@example.com')
      assert.equal(typeof issued.body.refresh_token, 'string')

      const refreshed = await post(tokenUrl, {
        grant_type: 'refresh_token',
        client_id: 'opencentral-ui',
        refresh_token: issued.body.refresh_token,
        scope,
      })
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body))
      assert.equal(decodeJwt(refreshed.body.access_token).iss, `${server.url}/${tenant}/v2.0`)
      assert.equal(decodeJwt(refreshed.body.access_token).aud, RESOURCE)
    })

    // Last: it moves the server's clock past the secret's end date.
    it('a secret past its end date is refused with AADSTS7000222, a wrong one still with 7000215', async () => {
      const principals = new ServicePrincipalService(server.app.store, tenant, server.clock.read)
      const endDate = new Date(Math.ceil(server.clock.now / 1000) * 1000 + 3_600_000).toISOString()
      const expiring = await principals.create('expiring-bot', { endDate })
      assert.equal(expiring.passwordEndDate, endDate)
      const tokenUrl = `${server.url}/${tenant}/oauth2/v2.0/token`
      const ask = (secret: string) =>
        post(tokenUrl, {
          grant_type: 'client_credentials',
          client_id: expiring.appId,
          client_secret: secret,
          scope: `${RESOURCE}/.default`,
        })
      assert.equal((await ask(expiring.password)).status, 200)
      server.clock.advance(2 * 3_600_000)
      const expired = await ask(expiring.password)
      assert.equal(expired.status, 401)
      assertEntraError(expired.body, 'invalid_client', 7000222)
      assertEntraError(
        // One character changed (to one it surely is not), so the secret is wrong, not expired.
        (await ask(`${expiring.password.slice(0, -1)}${expiring.password.endsWith('x') ? 'y' : 'x'}`)).body,
        'invalid_client',
        7000215,
      )
      await assert.rejects(principals.create('late-bot', { endDate }), /in the past/)
    })
  })
}
