import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AccountService } from '../../src/idp/accounts.js'
import { ServicePrincipalService } from '../../src/idp/service-principals.js'
import { Browser, signInWithDeviceCode } from '../helpers/browser.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const RESOURCE = 'https://apps.azureiotcentral.com'

async function post(url: string, fields: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

for (const dialect of DIALECTS) {
  describe(`bearer tokens from the embedded issuer (${dialect})`, () => {
    let server: TestServer
    let tokenUrl: string

    before(async () => {
      server = await startServer(dialect)
      tokenUrl = `${server.app.idp!.issuer}/token`
    })
    after(async () => server?.close())

    it('admits a service principal made with the embedded issuer once it is a user, with its roles', async () => {
      const idp = server.app.idp!
      const bot = await new ServicePrincipalService(server.app.store, idp.tenantId, server.clock.read).create('build-bot')
      const issued = await post(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: bot.appId,
        client_secret: bot.password,
        resource: RESOURCE,
      })
      assert.equal(issued.status, 200, JSON.stringify(issued.body))
      const auth = `Bearer ${issued.body.access_token}`

      expectError(
        await server.request('GET', '/api/devices', { auth }),
        403,
        'Forbidden',
        `The service principal with tenant ${idp.tenantId} and object id ${bot.objectId} is not a user of this application.`,
      )
      const added = await server.request('PUT', '/api/users/build-bot', {
        body: {
          type: 'servicePrincipal',
          tenantId: bot.tenant,
          objectId: bot.objectId,
          roles: [{ role: ROLE_IDS.operator }],
        },
      })
      assert.equal(added.status, 200)
      assert.equal((await server.request('GET', '/api/devices', { auth })).status, 200)
      const refused = await server.request('GET', '/api/apiTokens', { auth })
      expectError(refused, 403, 'Forbidden')
      assert.match(refused.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/)
    })

    it('binds a person to their email user on first sign-in through the device flow', async () => {
      await new AccountService(server.app.store, server.clock.read).add('ada@example.com', 'correct horse battery')
      const added = await server.request('PUT', '/api/users/ada', {
        body: { type: 'email', email: 'ada@example.com', roles: [{ role: ROLE_IDS.administrator }] },
      })
      assert.equal(added.status, 200)
      const device = await post(`${server.app.idp!.issuer}/device/auth`, { client_id: 'opencentral-cli', scope: 'openid' })
      await signInWithDeviceCode(new Browser(), device.body.verification_uri, device.body.user_code, {
        email: 'ada@example.com',
        password: 'correct horse battery',
      })
      const issued = await post(tokenUrl, {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: device.body.device_code,
        client_id: 'opencentral-cli',
      })
      assert.equal(issued.status, 200, JSON.stringify(issued.body))
      const auth = `Bearer ${issued.body.access_token}`
      assert.equal((await server.request('GET', '/api/apiTokens', { auth })).status, 200)
      const me = await server.request('GET', '/api/me', { auth })
      assert.equal(me.status, 200)
      assert.deepEqual(me.body.principal, { type: 'user', id: 'ada' })
      // The person cannot change their own roles, even as an Administrator.
      expectError(
        await server.request('PATCH', '/api/users/ada', { auth, body: { roles: [{ role: ROLE_IDS.operator }] } }),
        403,
        'Forbidden',
        'You cannot change your own role assignments.',
      )
    })

    it('refuses an embedded-issuer token for another audience', async () => {
      const idp = server.app.idp!
      const bot = await new ServicePrincipalService(server.app.store, idp.tenantId, server.clock.read).create('other-bot')
      const issued = await post(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: bot.appId,
        client_secret: bot.password,
        resource: 'https://graph.microsoft.com',
      })
      assert.equal(issued.status, 400)
      assert.equal(issued.body.error, 'invalid_target')
    })
  })
}
