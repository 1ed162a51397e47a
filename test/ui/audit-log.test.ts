import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { AccountService } from '../../src/idp/accounts.js'
import { chromiumMissing, launchChromium, signIn } from '../helpers/chromium.js'
import { ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const EMAIL = 'ada@example.com'
const PASSWORD = 'correct horse battery staple'
const DAY_MS = 86_400_000

// One engine is enough here: the browser drives the same API whose store tests run on both.
describe('web UI in Chromium: audit log and token lifecycle (sqlite)', { skip: chromiumMissing }, () => {
  let server: TestServer
  let browser: Browser
  let page: Page

  const nav = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true }).click()
  const put = async (path: string, body: unknown) => {
    const response = await server.request('PUT', path, { body })
    assert.equal(response.status, 200, `${path}: ${response.text}`)
  }

  before(async () => {
    server = await startServer('sqlite')
    await server.app.setup!.complete({ email: EMAIL, password: PASSWORD, name: 'Ada' })
    await new AccountService(server.app.store, server.clock.read).add('otto@example.com', PASSWORD)
    await put('/api/users/otto', { type: 'email', email: 'otto@example.com', roles: [{ role: ROLE_IDS.operator }] })
    server.clock.now = Math.max(server.clock.now, Date.now())
    await put('/api/apiTokens/nightly', {
      roles: [{ role: ROLE_IDS.operator }],
      description: 'Nightly export',
      expiry: new Date(server.clock.now + 5 * DAY_MS).toISOString(),
    })
    await put('/api/apiTokens/yearly', { roles: [{ role: ROLE_IDS.operator }] })
    await server.request('GET', '/api/devices', { auth: 'SharedAccessSignature sr=x&sig=y&skn=intruder&se=1' })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await signIn(page, server.url, EMAIL, PASSWORD)
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('shows the audit log newest first, with who, what, target, address and outcome', async () => {
    await nav('Audit log')
    await page.getByRole('heading', { name: 'Audit log' }).waitFor()
    const table = page.getByRole('table', { name: 'Audit log' })
    const rows = table.getByRole('row')
    await rows.nth(1).waitFor()
    const texts = await rows.allInnerTexts()
    const failure = texts.findIndex((text) => text.includes('auth.failure'))
    const nightly = texts.findIndex((text) => text.includes('apiToken.create') && text.includes('nightly'))
    assert.ok(failure > 0 && nightly > 0, texts.join('\n'))
    assert.ok(failure < nightly, 'newest first')
    assert.match(texts[failure]!, /intruder/)
    assert.match(texts[failure]!, /failed \(401\)/)
    assert.match(texts[nightly]!, /test-admin \(apiToken\)/)
    assert.match(texts[nightly]!, /127\.0\.0\.1/)
  })

  it('filters by action', async () => {
    await page.getByLabel('Action').fill('apiToken.create')
    await page.getByRole('button', { name: 'Filter' }).click()
    const table = page.getByRole('table', { name: 'Audit log' })
    await table.getByText('auth.failure').waitFor({ state: 'detached' })
    const texts = await table.getByRole('row').allInnerTexts()
    assert.ok(texts.length > 1)
    for (const text of texts.slice(1)) assert.match(text, /apiToken\.create/)
  })

  it('marks tokens that expire soon, with their description and last use', async () => {
    await nav('API tokens')
    const table = page.getByRole('table', { name: 'API tokens' })
    const nightly = table.getByRole('row').filter({ hasText: 'nightly' })
    await nightly.getByText('Expires soon').waitFor()
    await nightly.getByText('Nightly export').waitFor()
    const yearly = table.getByRole('row').filter({ hasText: 'yearly' })
    assert.equal(await yearly.getByText('Expires soon').count(), 0)
    await yearly.getByText('Never').waitFor()
  })

  it('is not offered to a person without auditLog.read, and the API refuses them', async () => {
    const other = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    try {
      await signIn(other, server.url, 'otto@example.com', PASSWORD)
      await other.getByRole('navigation').getByRole('link', { name: 'Devices', exact: true }).waitFor()
      assert.equal(await other.getByRole('navigation').getByRole('link', { name: 'Audit log' }).count(), 0)
    } finally {
      await other.close()
    }
  })
})
