import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { UI_ASSET_DIR } from '../../src/http/ui/ui-assets.js'
import { isClientRoute } from '../../src/http/ui/client-routes.js'
import { DIALECTS } from '../helpers/dialects.js'
import { TestIssuer } from '../helpers/issuer.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { writeTrustFile } from '../helpers/trust-file.js'

// How the server serves the built application; what it does in a browser is test/ui's concern.
const built = existsSync(`${UI_ASSET_DIR}index.html`)

describe(
  'web UI serving',
  { skip: built ? false : 'dist-ui/ is not built: run npm run build' },
  () => {
    let server: TestServer
    before(async () => {
      server = await startServer(DIALECTS[0]!)
    })
    after(async () => server?.close())

    /** What a browser sends when it navigates to a page. */
    const NAVIGATION = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }

    const expectJsonNotFound = async (response: Response, what: string) => {
      assert.equal(response.status, 404, what)
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/, what)
      assert.equal(response.headers.get('x-ms-error-code'), 'NotFound', what)
      const body = (await response.json()) as { error: { code: string; message: string; requestId: string; time: string } }
      assert.equal(body.error.code, 'NotFound', what)
      assert.equal(body.error.requestId, response.headers.get('x-ms-request-id'), what)
      assert.match(body.error.time, /GMT$/, what)
    }

    it('answers page navigations to client routes with index.html and its security headers', async () => {
      for (const path of ['/', '/devices', '/admin/api-tokens', '/ui/callback?code=x&state=y']) {
        const response = await fetch(`${server.url}${path}`, { headers: NAVIGATION })
        assert.equal(response.status, 200, path)
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/)
        assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/)
        assert.equal(response.headers.get('x-frame-options'), 'DENY')
        assert.doesNotMatch(await response.text(), /<script>/, 'no inline script')
      }
    })

    it('answers any other unknown GET with the JSON 404, not a page', async () => {
      const probes = [
        // What az iot central device edge children list asks for.
        '/system/iothub/devices/edge-1/get-twin',
        // Metrics are off here; /readyz, /livez and /version are the server's own (health routes).
        '/metrics',
        '/status',
        '/devices',
        '/',
      ]
      for (const path of probes) {
        // Scripts and SDKs accept anything, or JSON; neither is a page navigation.
        await expectJsonNotFound(await fetch(`${server.url}${path}`), `${path} (no Accept)`)
        await expectJsonNotFound(
          await fetch(`${server.url}${path}`, { headers: { accept: 'application/json' } }),
          `${path} (JSON)`,
        )
      }
      // Even a browser gets no page for the server's own paths or a missing file.
      for (const path of ['/system/iothub/devices/edge-1/get-twin', '/metrics', '/status', '/favicon-missing.ico']) {
        await expectJsonNotFound(await fetch(`${server.url}${path}`, { headers: NAVIGATION }), `${path} (navigation)`)
      }
      // text/html refused with q=0 is not a navigation either.
      await expectJsonNotFound(
        await fetch(`${server.url}/devices`, { headers: { accept: 'text/html;q=0, application/json' } }),
        '/devices (q=0)',
      )
    })

    it('answers a browser with the page only for the routes the application has', async () => {
      for (const path of ['/devices/dev-1', '/device-groups', '/jobs/j1', '/scheduled-jobs', '/admin/users', '/admin/device-connection-groups/g1']) {
        const response = await fetch(`${server.url}${path}`, { headers: NAVIGATION })
        assert.equal(response.status, 200, path)
        await response.arrayBuffer()
      }
      for (const path of ['/wp-admin', '/actuator/health', '/server-status', '/admin', '/admin/nothing', '/devicesx', '/ui', '/ui/other']) {
        await expectJsonNotFound(await fetch(`${server.url}${path}`, { headers: NAVIGATION }), `${path} (navigation)`)
      }
    })

    it('knows every page of the application as a client route', async () => {
      const navigation = readFileSync(new URL('../../ui/src/Navigation.tsx', import.meta.url), 'utf8')
      const pages = [...navigation.matchAll(/^\s*path: '([^']+)',$/gm)].map((m) => m[1] as string)
      assert.ok(pages.length >= 10, 'the pages are found in ui/src/Navigation.tsx')
      for (const page of pages) assert.ok(isClientRoute(page) && isClientRoute(`${page}/item`), page)
    })

    it('tells the application which issuer, client and resource to sign in with', async () => {
      const response = await fetch(`${server.url}/ui-config.json`)
      assert.deepEqual(await response.json(), {
        issuers: [
          {
            issuer: server.app.idp!.issuer,
            name: 'OpenCentral',
            clientId: 'opencentral-ui',
            scope: 'openid profile email',
            resource: 'https://apps.azureiotcentral.com',
          },
        ],
      })
    })

    it('leaves /api and /oidc to the server: unknown paths there are 404, not pages', async () => {
      const api = await fetch(`${server.url}/api/nothing?api-version=2022-07-31`)
      assert.equal(api.status, 404)
      assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'NotFound')
      assert.equal((await fetch(`${server.url}/assets/missing.js`)).status, 404)
    })

    it('offers the external issuers configured for web sign-in, and lets the application reach them', async () => {
      const issuer = await TestIssuer.start()
      const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47'
      const trustFile = writeTrustFile([
        { issuer: issuer.generic, webSignIn: { clientId: 'web', name: 'Keycloak' } },
        { entraTenant: tenant, webSignIn: { clientId: 'entra-app', name: 'Contoso' } },
        { issuer: `${issuer.base}/silent`, audiences: ['api://x'] },
      ])
      const withIssuers = await startServer(DIALECTS[0]!, { config: { trustFile }, entra: issuer.entra })
      try {
        const response = await fetch(`${withIssuers.url}/ui-config.json`)
        const { issuers } = (await response.json()) as { issuers: Record<string, string>[] }
        assert.deepEqual(issuers.slice(1), [
          {
            issuer: issuer.generic,
            name: 'Keycloak',
            clientId: 'web',
            scope: 'openid profile email',
            resource: 'https://apps.azureiotcentral.com',
          },
          {
            // Entra: the v2 endpoints, the resource named in the scope.
            issuer: issuer.entra.v2Issuer(tenant),
            name: 'Contoso',
            clientId: 'entra-app',
            scope: 'openid profile email https://apps.azureiotcentral.com/.default',
          },
        ])
        const page = await fetch(`${withIssuers.url}/devices`, { headers: NAVIGATION })
        assert.match(
          page.headers.get('content-security-policy') ?? '',
          new RegExp(`connect-src 'self' ${issuer.base.replace(/\./g, '\\.')};`),
        )
      } finally {
        await withIssuers.close()
        await issuer.close()
      }
    })

    it('refuses a trust file whose web sign-in lacks a client id', async () => {
      const trustFile = writeTrustFile([
        { issuer: 'https://id.example.com', webSignIn: { name: 'X' } },
      ])
      await assert.rejects(
        startServer(DIALECTS[0]!, { config: { trustFile } }),
        /webSignIn/,
      )
    })

    it('publishes an end-session endpoint that returns only to the application', async () => {
      const discovery = (await (
        await fetch(`${server.url}/oidc/.well-known/openid-configuration`)
      ).json()) as { end_session_endpoint?: string }
      assert.equal(discovery.end_session_endpoint, `${server.url}/oidc/session/end`)
      const elsewhere = new URL(discovery.end_session_endpoint)
      elsewhere.search = new URLSearchParams({
        client_id: 'opencentral-ui',
        post_logout_redirect_uri: 'https://evil.example.com/',
      }).toString()
      const refused = await fetch(elsewhere, { redirect: 'manual' })
      assert.equal(refused.status, 400)
      assert.match(await refused.text(), /post_logout_redirect_uri not registered/)
    })

    it('serves no application without the embedded issuer', async () => {
      const bare = await startServer(DIALECTS[0]!, { config: { embeddedIdp: false } })
      try {
        assert.equal((await fetch(`${bare.url}/devices`, { headers: NAVIGATION })).status, 404)
      } finally {
        await bare.close()
      }
    })
  },
)
