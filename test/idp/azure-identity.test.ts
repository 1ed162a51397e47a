import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { decodeJwt } from 'jose'
import { after, before, describe, it } from 'node:test'
import { AccountService } from '../../src/idp/accounts.js'
import { ServicePrincipalService } from '../../src/idp/service-principals.js'
import { createDevCertificates } from '../../src/tls/dev-certificates.js'
import { getTokenWithAzureIdentity, type IdentityRequest } from '../helpers/azure-identity.js'
import { createClientCertificate } from '../helpers/client-certificate.js'
import { DIALECTS } from '../helpers/dialects.js'
import { httpsRequest } from '../helpers/https.js'
import { API_VERSION, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const SCOPE = 'https://apps.azureiotcentral.com/.default'

for (const dialect of DIALECTS) {
  describe(`Microsoft's @azure/identity against the embedded issuer over TLS (${dialect})`, () => {
    let server: TestServer
    let caCert: string
    let dataDir: string
    let base: Omit<IdentityRequest, 'kind' | 'clientId'>

    before(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-entra-'))
      const certificates = await createDevCertificates(dataDir)
      caCert = certificates.caCert
      server = await startServer(dialect, {
        config: { dataDir, tlsCert: certificates.cert, tlsKey: certificates.key },
      })
      base = { authorityHost: server.url, tenantId: server.app.idp!.tenantId, scope: SCOPE }
    })
    after(async () => server?.close())

    // Microsoft's SDK and the issuer run on real time: the server's clock follows it, or a slow
    // run would leave the server's hand-moved clock behind the tokens' issue times.
    const api = (method: string, pathname: string, auth: string, body?: unknown) => {
      server.clock.now = Date.now()
      return httpsRequest(
        method,
        `${server.url}${pathname}?api-version=${API_VERSION}`,
        readFileSync(caCert),
        auth,
        body,
      )
    }
    const getDevices = (auth: string) => api('GET', '/api/devices', auth)
    /** Makes the service principal an operator of the application, as an administrator would. */
    const addAsUser = async (bot: { tenant: string; objectId: string }, id: string) => {
      const added = await api('PUT', `/api/users/${id}`, server.adminToken, {
        type: 'servicePrincipal',
        tenantId: bot.tenant,
        objectId: bot.objectId,
        roles: [{ role: ROLE_IDS.operator }],
      })
      assert.equal(added.status, 200, JSON.stringify(added.body))
    }
    const servicePrincipals = () =>
      new ServicePrincipalService(server.app.store, server.app.idp!.tenantId, server.clock.read)

    it('ClientSecretCredential gets a token that opens /api once the service principal is a user', async () => {
      const bot = await servicePrincipals().create('secret-bot')
      const answer = await getTokenWithAzureIdentity(
        { ...base, kind: 'secret', clientId: bot.appId, secret: bot.password },
        caCert,
      )
      assert.ok('token' in answer, JSON.stringify(answer))
      assert.equal(decodeJwt(answer.token).iss, `${server.url}/${bot.tenant}/v2.0`)
      const auth = `Bearer ${answer.token}`
      const refused = await getDevices(auth)
      assert.equal(refused.status, 403)
      assert.equal(
        refused.body.error.message,
        `The service principal with tenant ${bot.tenant} and object id ${bot.objectId} is not a user of this application.`,
      )
      await addAsUser(bot, 'secret-bot')
      assert.equal((await getDevices(auth)).status, 200)
    })

    it("a wrong client secret fails with Entra's AADSTS error", async () => {
      const bot = await servicePrincipals().create('wrong-secret-bot')
      const answer = await getTokenWithAzureIdentity(
        { ...base, kind: 'secret', clientId: bot.appId, secret: `${bot.password.slice(0, -1)}${bot.password.endsWith('x') ? 'y' : 'x'}` },
        caCert,
      )
      assert.ok('error' in answer, JSON.stringify(answer))
      assert.match(answer.error.message, /AADSTS7000215: Invalid client secret provided/)
    })

    it('ClientCertificateCredential proves the service principal with its registered certificate', async () => {
      const { certificate, withKey } = await createClientCertificate('cert-bot')
      const bot = await servicePrincipals().createWithCertificate('cert-bot', certificate)
      const certificatePath = path.join(dataDir, 'cert-bot.pem')
      writeFileSync(certificatePath, withKey, { mode: 0o600 })
      const answer = await getTokenWithAzureIdentity(
        { ...base, kind: 'certificate', clientId: bot.appId, certificatePath },
        caCert,
      )
      assert.ok('token' in answer, JSON.stringify(answer))
      assert.equal(decodeJwt(answer.token).oid, bot.objectId)
      await addAsUser(bot, 'cert-bot')
      assert.equal((await getDevices(`Bearer ${answer.token}`)).status, 200)

      // Another key, even with the same name on its certificate, does not pass.
      const stranger = await createClientCertificate('cert-bot')
      const strangerPath = path.join(dataDir, 'stranger.pem')
      writeFileSync(strangerPath, stranger.withKey, { mode: 0o600 })
      const refused = await getTokenWithAzureIdentity(
        { ...base, kind: 'certificate', clientId: bot.appId, certificatePath: strangerPath },
        caCert,
      )
      assert.ok('error' in refused, JSON.stringify(refused))
      assert.match(refused.error.message, /AADSTS700027/)
    })

    it('DeviceCodeCredential gets a token once the person signs in on the sign-in page', async () => {
      await new AccountService(server.app.store, server.clock.read).add(
        'grace@example.com',
        'a long passphrase',
      )
      const added = await api('PUT', '/api/users/grace', server.adminToken, {
        type: 'email',
        email: 'grace@example.com',
        roles: [{ role: ROLE_IDS.operator }],
      })
      assert.equal(added.status, 200, JSON.stringify(added.body))
      const answer = await getTokenWithAzureIdentity(
        {
          ...base,
          kind: 'device',
          clientId: 'opencentral-cli',
          signIn: { email: 'grace@example.com', password: 'a long passphrase' },
        },
        caCert,
      )
      assert.ok('token' in answer, JSON.stringify(answer))
      const claims = decodeJwt(answer.token)
      assert.equal(claims.iss, `${server.url}/${base.tenantId}/v2.0`)
      assert.equal(claims.email, 'grace@example.com')
      assert.equal((await getDevices(`Bearer ${answer.token}`)).status, 200)
    })
  })
}
