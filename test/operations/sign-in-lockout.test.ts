import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AccountService } from '../../src/idp/accounts.js'
import { Browser, formOf, signInWithDeviceCode, type Page } from '../helpers/browser.js'
import { DIALECTS } from '../helpers/dialects.js'
import { startServer, type TestServer } from '../helpers/server.js'

for (const dialect of DIALECTS) {
  describe(`sign-in lockout on the embedded issuer (${dialect})`, () => {
    let server: TestServer
    let issuer: string

    before(async () => {
      server = await startServer(dialect, { config: { authFailureLimit: 2 } })
      issuer = server.app.idp!.issuer
      await new AccountService(server.app.store, server.clock.read).add('lin@example.com', 'the right password')
    })
    after(async () => server?.close())

    /** Opens a device-flow sign-in and submits the credentials once. */
    async function signIn(email: string, password: string): Promise<{ page: Page; browser: Browser }> {
      const response = await fetch(`${issuer}/device/auth`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: 'opencentral-cli', scope: 'openid' }).toString(),
      })
      const device = (await response.json()) as { verification_uri: string; user_code: string }
      const browser = new Browser()
      const page = await signInWithDeviceCode(browser, device.verification_uri, device.user_code, { email, password })
      return { page, browser }
    }

    it('locks the address out after repeated wrong passwords, saying the same for every account', async () => {
      assert.equal((await signIn('lin@example.com', 'wrong one')).page.status, 400)
      assert.equal((await signIn('nobody@example.com', 'wrong two')).page.status, 400)
      const known = (await signIn('lin@example.com', 'the right password')).page
      const unknown = (await signIn('nobody@example.com', 'anything')).page
      for (const page of [known, unknown]) {
        assert.equal(page.status, 429, page.html)
        assert.equal(page.headers.get('retry-after'), '60')
        assert.match(page.html, /Too many failed sign-ins from your network\. Try again in 60 seconds\./)
        assert.deepEqual(formOf(page).labelled, ['email', 'password'])
        assert.ok(!/signed in/.test(page.html))
      }
      // The two answers differ only in what was typed and the interaction's own id.
      const strip = (page: Page) =>
        page.html.replace(/value="[^"]*@example\.com"/, '').replace(/interaction\/[A-Za-z0-9_-]+/g, '')
      assert.equal(strip(known), strip(unknown))
    })

    it('lets the address sign in once the lock has passed', async () => {
      server.clock.advance(61_000)
      const { page } = await signIn('lin@example.com', 'the right password')
      assert.equal(page.status, 200, page.html)
      assert.match(page.html, /signed in/)
    })
  })
}
