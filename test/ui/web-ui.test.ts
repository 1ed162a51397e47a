import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { AccountService } from '../../src/idp/accounts.js'
import { chromiumMissing, launchChromium, signIn } from '../helpers/chromium.js'
import { ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const PASSWORD = 'correct horse battery staple'

interface Role {
  id: string
  displayName: string
  permissions: string[]
}
interface User {
  email?: string
  roles: { role: string; organization?: string }[]
}

// One engine is enough here: the browser drives the same API whose store tests run on both.
describe('web UI in Chromium (sqlite)', { skip: chromiumMissing }, () => {
  let server: TestServer
  let browser: Browser
  let page: Page

  // The server's clock stands still unless moved; a token the issuer makes now must not be "not
  // yet valid" to it when the tests run slowly.
  const catchUpClock = () => {
    server.clock.now = Math.max(server.clock.now, Date.now())
  }

  const addPerson = async (email: string, role: string | null) => {
    await new AccountService(server.app.store, server.clock.read).add(email, PASSWORD)
    if (!role) return
    const added = await server.request('PUT', `/api/users/${email.split('@')[0]}`, {
      body: { type: 'email', email, roles: [{ role }] },
    })
    assert.equal(added.status, 200, added.text)
  }

  before(async () => {
    server = await startServer('sqlite')
    browser = await launchChromium()
    await addPerson('otto@example.com', ROLE_IDS.operator)
    await addPerson('nemo@example.com', null)
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('serves the application with a policy that forbids inline scripts', async () => {
    const response = await fetch(`${server.url}/admin/api-tokens`, { headers: { accept: 'text/html' } })
    assert.equal(response.status, 200)
    assert.match(await response.text(), /<div id="root">/)
    assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'(;|$)/)
    const api = await fetch(`${server.url}/api/nothing-here?api-version=2022-07-31`)
    assert.equal(api.status, 404)
    const outside = await fetch(`${server.url}/assets/..%2F..%2Fpackage.json`)
    assert.equal(outside.status, 404, 'no file outside the built application')
  })

  it('lets the first person create their account through the one-time setup link', async () => {
    const link = await server.app.setup!.link()
    assert.ok(link, 'a setup link while no Administrator can sign in')
    await page.goto(link)
    await page.getByLabel('Your name').fill('Ada')
    await page.getByLabel('Email').fill('ada@example.com')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'You are the Administrator' }).waitFor()

    assert.equal(await server.app.setup!.link(), null, 'no link once an Administrator can sign in')
    const again = await fetch(link)
    assert.equal(again.status, 404)
    const users = await server.request('GET', '/api/users')
    const ada = users.body.value.find(
      (user: { email?: string }) => user.email === 'ada@example.com',
    )
    assert.deepEqual(ada?.roles, [{ role: ROLE_IDS.administrator }])
  })

  it('signs an Administrator in, generates an Operator token shown once, and never lists its value', async () => {
    catchUpClock()
    await signIn(page, server.url, 'ada@example.com', PASSWORD)
    await page.getByRole('link', { name: 'API tokens' }).click()
    await page.getByRole('button', { name: 'Generate token' }).click()
    await page.getByLabel('Token name').fill('build-server')
    await page.getByLabel('Role').selectOption({ label: 'Operator' })
    await page.getByRole('button', { name: 'Generate', exact: true }).click()

    const value = await page.getByLabel('Token value').inputValue()
    assert.match(value, /^SharedAccessSignature /)
    await page.getByText('only time the value').waitFor()
    const devices = await server.request('GET', '/api/devices', { auth: value })
    assert.equal(devices.status, 200, devices.text)

    await page.getByRole('button', { name: 'Close' }).click()
    const row = page.getByRole('row', { name: /build-server/ })
    await row.waitFor()
    assert.match(await row.innerText(), /Operator/)
    assert.equal((await page.content()).includes(value), false)

    // A reload keeps the session: the issuer signs the application in again without a page.
    catchUpClock()
    await page.reload()
    await page.getByRole('row', { name: /build-server/ }).waitFor()
    assert.equal((await page.content()).includes(value), false)
  })

  it('creates a custom role with its dependencies ticked, and assigns it to a person', async () => {
    await page.getByRole('link', { name: 'Roles' }).click()
    await page.getByRole('button', { name: 'New custom role' }).click()
    await page.getByLabel('Role name').fill('Device reader')
    await page.getByRole('checkbox', { name: 'Read (Devices)', exact: true }).check()
    assert.ok(
      await page
        .getByRole('checkbox', { name: 'Read (Device templates)', exact: true })
        .isChecked(),
      'reading devices needs reading device templates',
    )
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await page.getByRole('row', { name: /Device reader/ }).waitFor()

    await page.getByRole('link', { name: 'Users' }).click()
    await page.getByRole('button', { name: 'Assign user' }).click()
    await page.getByLabel('Email').fill('rita@example.com')
    await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Device reader' })
    await page.getByRole('button', { name: 'Assign', exact: true }).click()
    await page.getByRole('row', { name: /rita@example\.com.*Device reader/ }).waitFor()

    const roles = (await server.request('GET', '/api/roles')).body.value as Role[]
    const reader = roles.find((role) => role.displayName === 'Device reader')
    assert.ok(reader?.permissions.includes('deviceTemplates.read'))
    const users = (await server.request('GET', '/api/users')).body.value as User[]
    const rita = users.find((user) => user.email === 'rita@example.com')
    assert.deepEqual(rita?.roles, [{ role: reader!.id }])
  })

  it('creates an organization, then a device in it', async () => {
    await page.getByRole('link', { name: 'Organizations' }).click()
    await page.getByRole('button', { name: 'New organization' }).click()
    await page.getByLabel('Organization id').fill('plant-a')
    await page.getByLabel('Name', { exact: true }).fill('Plant A')
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await page.getByText('Plant A').waitFor()

    await page.getByRole('link', { name: 'Devices', exact: true }).click()
    await page.getByRole('button', { name: 'New device' }).click()
    await page.getByLabel('Device id').fill('pump-1')
    await page.getByLabel('Device name').fill('Pump 1')
    await page.getByLabel('Organization', { exact: true }).selectOption({ label: 'Plant A' })
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await page.getByRole('row', { name: /pump-1/ }).waitFor()

    const device = await server.request('GET', '/api/devices/pump-1')
    assert.equal(device.status, 200, device.text)
    assert.deepEqual(device.body.organizations, ['plant-a'])
    assert.equal(device.body.displayName, 'Pump 1')
  })

  it('renames and moves an organization, and edits a device', async () => {
    await page.getByRole('link', { name: 'Organizations' }).click()
    await page.getByRole('button', { name: 'New organization' }).click()
    await page.getByLabel('Organization id').fill('line-1')
    await page.getByLabel('Name', { exact: true }).fill('Line one')
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await page.getByRole('button', { name: 'Rename or move Line one' }).click()
    await page.getByLabel('Name', { exact: true }).fill('Line 1')
    await page.getByLabel('Parent').selectOption({ label: 'Plant A' })
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('button', { name: 'Rename or move Line 1' }).waitFor()
    const moved = await server.request('GET', '/api/organizations/line-1')
    assert.deepEqual([moved.body.displayName, moved.body.parent], ['Line 1', 'plant-a'])

    await page.getByRole('link', { name: 'Devices', exact: true }).click()
    await page.getByRole('button', { name: 'Edit pump-1' }).click()
    await page.getByLabel('Device name').fill('Pump one')
    await page.getByLabel('Organization', { exact: true }).selectOption({ label: 'Line 1' })
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('row', { name: /Pump one/ }).waitFor()
    const device = await server.request('GET', '/api/devices/pump-1')
    assert.deepEqual([device.body.displayName, device.body.organizations], ['Pump one', ['line-1']])
  })

  it('imports a device template from a JSON file', async () => {
    await page.getByRole('link', { name: 'Device templates' }).click()
    const id = 'dtmi:contoso:pump;1'
    const template = {
      '@id': id,
      '@type': ['ModelDefinition', 'DeviceModel'],
      displayName: 'Pump',
      capabilityModel: { '@id': `${id}:model`, '@type': 'Interface', contents: [] },
    }
    await page.getByLabel('Import a template (JSON)').setInputFiles({
      name: 'pump.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(template)),
    })
    await page.getByRole('row', { name: /Pump/ }).waitFor()
    const stored = await server.request('GET', `/api/deviceTemplates/${encodeURIComponent(id)}`)
    assert.equal(stored.status, 200, stored.text)
  })

  it('deletes an API token only once the deletion is confirmed', async () => {
    await page.getByRole('link', { name: 'API tokens' }).click()
    await page.getByRole('button', { name: 'Delete build-server' }).click()
    await page.getByRole('button', { name: 'Cancel' }).click()
    assert.equal((await server.request('GET', '/api/apiTokens/build-server')).status, 200)
    await page.getByRole('button', { name: 'Delete build-server' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('row', { name: /build-server/ }).waitFor({ state: 'detached' })
    assert.equal((await server.request('GET', '/api/apiTokens/build-server')).status, 404)
  })

  it('shows an Operator no Administration', async () => {
    const context = await browser.newContext()
    const operatorPage = await context.newPage()
    catchUpClock()
    await signIn(operatorPage, server.url, 'otto@example.com', PASSWORD)
    await operatorPage.getByRole('heading', { name: 'Devices' }).waitFor()
    await operatorPage.getByRole('navigation').getByText('otto@example.com').waitFor()
    assert.equal(await operatorPage.getByText('Administration').count(), 0)
    assert.equal(await operatorPage.getByRole('link', { name: 'API tokens' }).count(), 0)
    await context.close()
  })

  it('tells a person who is not a user so, with their tenant and object id', async () => {
    const context = await browser.newContext()
    const strangerPage = await context.newPage()
    catchUpClock()
    await signIn(strangerPage, server.url, 'nemo@example.com', PASSWORD)
    await strangerPage
      .getByRole('heading', { name: 'You are not a user of this application' })
      .waitFor()
    const text = await strangerPage.innerText('main')
    assert.match(text, new RegExp(`tenant ${server.app.idp!.tenantId} and object id \\S+`))
    await context.close()
  })
})
