import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { AccountService } from '../../src/idp/accounts.js'
import { chromiumMissing, launchChromium } from '../helpers/chromium.js'
import { DIALECTS } from '../helpers/dialects.js'
import { OidcTestIssuer } from '../helpers/oidc-issuer.js'
import { writeTrustFile } from '../helpers/trust-file.js'
import { ROLE_IDS, startServer, TestClock, type TestServer } from '../helpers/server.js'

const PASSWORD = 'correct horse battery staple'
const RESOURCE = 'https://apps.azureiotcentral.com'
const EXTERNAL_CLIENT = 'opencentral-web'
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/

/** The real clock, moved by `offset`: the issuers sign with real time, the server checks with this. */
function movableClock(): TestClock & { offset: number } {
  const clock = Object.assign(new TestClock(), { offset: 0 })
  Object.defineProperty(clock, 'now', { get: () => Date.now() + clock.offset, set: () => {} })
  return clock
}

/** Everything a script of the application could read that might hold a token. */
async function scriptReadable(page: Page): Promise<string> {
  // Runs in the page: its globals, not Node's.
  return page.evaluate(() => {
    const window = globalThis as unknown as {
      localStorage: Storage
      sessionStorage: Storage
      document: { cookie: string }
    }
    return JSON.stringify({
      local: { ...window.localStorage },
      session: { ...window.sessionStorage },
      cookie: window.document.cookie,
    })
  })
}

async function signInWithPassword(page: Page, email: string | null): Promise<void> {
  if (email !== null) await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
}

for (const dialect of DIALECTS) {
  describe(`web UI sessions in Chromium (${dialect})`, { skip: chromiumMissing }, () => {
    let server: TestServer
    let browser: Browser
    let issuer: OidcTestIssuer
    const clock = movableClock()

    const addPerson = async (id: string, email: string, role: string, withAccount = true) => {
      if (withAccount) await new AccountService(server.app.store, server.clock.read).add(email, PASSWORD)
      const added = await server.request('PUT', `/api/users/${id}`, {
        body: { type: 'email', email, roles: [{ role }] },
      })
      assert.equal(added.status, 200, added.text)
    }

    const fresh = async (): Promise<{ context: BrowserContext; page: Page }> => {
      const context = await browser.newContext()
      return { context, page: await context.newPage() }
    }

    /** From the application's sign-in page, through the embedded issuer, to Devices. */
    const signIn = async (page: Page, email: string) => {
      await page.goto(server.url)
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await signInWithPassword(page, email)
      await page.getByRole('heading', { name: 'Devices' }).waitFor()
    }

    before(async () => {
      issuer = await OidcTestIssuer.listen()
      const trustFile = writeTrustFile([
        {
          issuer: issuer.url,
          trustEmail: true,
          webSignIn: { clientId: EXTERNAL_CLIENT, name: 'Test issuer' },
        },
      ])
      server = await startServer(dialect, { clock, config: { trustFile } })
      issuer.register(EXTERNAL_CLIENT, server.url, RESOURCE)
      browser = await launchChromium()
    })
    after(async () => {
      await browser?.close()
      await server?.close()
      await issuer?.down()
    })

    it('takes the first person from setup to the sign-in form in one click, then signed in', async () => {
      const { context, page } = await fresh()
      await page.goto((await server.app.setup!.link())!)
      await page.getByLabel('Your name').fill('Ada')
      await page.getByLabel('Email').fill('ada@example.com')
      await page.getByLabel('Password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.getByRole('link', { name: 'Sign in to OpenCentral' }).click()
      // The issuer's form, the email already there: only the password is asked for.
      assert.equal(await page.getByLabel('Email').inputValue(), 'ada@example.com')
      await signInWithPassword(page, null)
      await page.getByRole('heading', { name: 'Devices' }).waitFor()
      await page.getByRole('navigation').getByText('ada@example.com').waitFor()
      await context.close()
    })

    it('keeps the session across a reload, with no token a script can read', async () => {
      await addPerson('otto', 'otto@example.com', ROLE_IDS.operator)
      const { context, page } = await fresh()
      await signIn(page, 'otto@example.com')
      await page.goto(`${server.url}/device-templates`)
      // The load goes to the issuer and back (prompt=none) before the page shows.
      await page.getByRole('heading', { name: 'Device templates' }).waitFor()
      await page.reload()
      await page.getByRole('heading', { name: 'Device templates' }).waitFor()
      await page.getByRole('navigation').getByText('otto@example.com').waitFor()
      assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).count(), 0)
      // An API call made after the reload works.
      await page.getByRole('link', { name: 'Devices', exact: true }).click()
      await page.getByRole('heading', { name: 'Devices' }).waitFor()
      assert.equal(await page.getByRole('alert').count(), 0)

      assert.doesNotMatch(await scriptReadable(page), JWT)
      for (const cookie of await context.cookies()) {
        assert.ok(cookie.httpOnly, `cookie ${cookie.name} is HttpOnly`)
        assert.equal(cookie.sameSite === 'None', false, `cookie ${cookie.name} is not SameSite=None`)
      }
      await context.close()
    })

    it('signs out of the application and of the issuer: a reload stays signed out, a new sign-in asks for the password', async () => {
      const { context, page } = await fresh()
      await signIn(page, 'otto@example.com')
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.waitForURL(`${server.url}/ui/signed-out`)
      await page.getByText('You are signed out.').waitFor()
      await page.reload()
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor()
      // The application's root tries the issuer's session silently: there is none any more.
      await page.goto(`${server.url}/devices`)
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.getByLabel('Password').waitFor()
      assert.match(new URL(page.url()).pathname, /^\/oidc\/interaction\//)
      await context.close()
    })

    it('takes access away from a deleted user on the next API call', async () => {
      await addPerson('rita', 'rita@example.com', ROLE_IDS.operator)
      const { context, page } = await fresh()
      await signIn(page, 'rita@example.com')
      assert.equal((await server.request('DELETE', '/api/users/rita')).status, 204)
      await page.getByRole('link', { name: 'Device templates' }).click()
      await page.getByRole('alert').getByText(/is not a user of this application/).waitFor()
      await context.close()
    })

    it('says that the session ended when the token expired and the issuer session is gone', async () => {
      await addPerson('eve', 'eve@example.com', ROLE_IDS.operator)
      const { context, page } = await fresh()
      await signIn(page, 'eve@example.com')
      // A new password ends the issuer's sessions; two hours on, the access token has expired.
      await new AccountService(server.app.store, server.clock.read).setPassword('eve@example.com', `${PASSWORD}!`)
      clock.offset = 2 * 3600_000
      try {
        await page.getByRole('link', { name: 'Device templates' }).click()
        await page.getByText('Your session has ended. Sign in again.').waitFor()
        await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor()
      } finally {
        clock.offset = 0
      }
      await context.close()
    })

    it('signs a person in through a trusted external issuer, matched as a user, across reloads', async () => {
      await addPerson('erin', 'erin@example.com', ROLE_IDS.operator, false)
      const { context, page } = await fresh()
      await page.goto(server.url)
      await page.getByRole('button', { name: 'Sign in with Test issuer' }).click()
      await page.locator('input[name=login]').fill('erin@example.com')
      await page.locator('input[name=password]').fill('anything')
      await page.getByRole('button', { name: 'Sign-in' }).click()
      await page.getByRole('button', { name: 'Continue' }).click()
      await page.getByRole('heading', { name: 'Devices' }).waitFor()
      await page.getByRole('navigation').getByText('erin@example.com').waitFor()
      const users = (await server.request('GET', '/api/users/erin')).body
      assert.equal(users.email, 'erin@example.com')

      await page.reload()
      await page.getByRole('heading', { name: 'Devices' }).waitFor()
      assert.doesNotMatch(await scriptReadable(page), JWT)

      await page.getByRole('button', { name: 'Sign out' }).click()
      // The external issuer's own sign-out page asks for a click (ours does not).
      await page.getByRole('button', { name: /Yes, sign me out/i }).click()
      await page.waitForURL(`${server.url}/ui/signed-out`)
      await page.getByText('You are signed out.').waitFor()
      await context.close()
    })

    it('says clearly when an external issuer cannot be reached', async () => {
      const { context, page } = await fresh()
      await issuer.down()
      try {
        await page.goto(server.url)
        await page.getByRole('button', { name: 'Sign in with Test issuer' }).click()
        await page
          .getByRole('alert')
          .getByText(`Test issuer (${issuer.url}) cannot be reached right now. Try again shortly.`)
          .waitFor()
      } finally {
        await issuer.up()
      }
      await context.close()
    })
  })
}
