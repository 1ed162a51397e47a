// Takes the README's screenshots of the web application: a real server over a fresh SQLite store
// with a little sample data, driven by Debian's chromium. Run with `npm run docs:screenshots`
// after `npm run build` (the pages are the built ones).
import type { Page } from 'playwright-core'
import { ROLE_IDS } from '../src/authz/builtin-roles.js'
import { launchChromium, signIn } from '../test/helpers/chromium.js'
import { startServer, type TestServer } from '../test/helpers/server.js'

const OUT = 'docs/screenshots'
const EMAIL = 'ada@example.com'
const PASSWORD = 'correct horse battery staple'

async function seed(server: TestServer): Promise<void> {
  await server.app.setup!.complete({ email: EMAIL, password: PASSWORD, name: 'Ada' })
  const put = async (path: string, body: unknown) => {
    const response = await server.request('PUT', path, { body })
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${response.text}`)
  }
  await put('/api/organizations/contoso', { displayName: 'Contoso' })
  await put('/api/organizations/plant-a', { displayName: 'Plant A', parent: 'contoso' })
  await put('/api/organizations/plant-b', { displayName: 'Plant B', parent: 'contoso' })
  const templateId = 'dtmi:contoso:thermostat;1'
  await put(`/api/deviceTemplates/${encodeURIComponent(templateId)}`, {
    '@type': ['ModelDefinition', 'DeviceModel'],
    displayName: 'Thermostat',
    capabilityModel: { '@id': templateId, '@type': 'Interface', contents: [] },
  })
  for (const [id, name, organization] of [
    ['thermostat-01', 'Boiler room', 'plant-a'],
    ['thermostat-02', 'Office', 'plant-a'],
    ['thermostat-03', 'Warehouse', 'plant-b'],
  ]) {
    await put(`/api/devices/${id}`, {
      displayName: name,
      template: templateId,
      organizations: [organization],
    })
  }
  await put('/api/roles/device-reader', {
    displayName: 'Device reader',
    type: 'application',
    permissions: ['devices.read'],
  })
  await put('/api/users/otto', {
    type: 'email',
    email: 'otto@example.com',
    roles: [{ role: ROLE_IDS.operator }],
  })
  await put('/api/users/plant-a-admin', {
    type: 'email',
    email: 'grace@example.com',
    roles: [{ role: ROLE_IDS.orgAdmin, organization: 'plant-a' }],
  })
  await server.createToken('build-server', [ROLE_IDS.operator])
  await server.createScopedToken('plant-a-dashboard', [
    { role: ROLE_IDS.orgViewer, organization: 'plant-a' },
  ])
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${OUT}/${name}.png` })
  console.log(`${OUT}/${name}.png`)
}

const server = await startServer('sqlite')
const browser = await launchChromium()
try {
  await seed(server)
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  await page.goto(server.url)
  await shoot(page, 'sign-in')
  await signIn(page, server.url, EMAIL, PASSWORD)
  await page.getByRole('row', { name: /thermostat-01/ }).waitFor()
  await shoot(page, 'devices')

  await page.getByRole('link', { name: 'API tokens' }).click()
  await page.getByRole('button', { name: 'Generate token' }).click()
  await page.getByLabel('Token name').fill('ci-pipeline')
  await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Operator' })
  await page.getByRole('button', { name: 'Generate', exact: true }).click()
  await page.getByLabel('Token value').waitFor()
  await shoot(page, 'api-token-generated')
  await page.getByRole('button', { name: 'Close' }).click()
  await page.getByRole('row', { name: /ci-pipeline/ }).waitFor()
  await shoot(page, 'api-tokens')

  await page.getByRole('link', { name: 'Users' }).click()
  await page.getByRole('row', { name: /otto@example\.com/ }).waitFor()
  await shoot(page, 'users')

  await page.getByRole('link', { name: 'Roles' }).click()
  await page.getByRole('button', { name: 'Edit Device reader' }).click()
  await page.getByLabel('Role name').waitFor()
  await shoot(page, 'custom-role')
  await page.keyboard.press('Escape')

  await page.getByRole('link', { name: 'Organizations' }).click()
  await page.getByText('Plant B').waitFor()
  await shoot(page, 'organizations')

  const narrow = await browser.newPage({ viewport: { width: 390, height: 800 } })
  await signIn(narrow, server.url, EMAIL, PASSWORD)
  await narrow.getByRole('row', { name: /thermostat-01/ }).waitFor()
  await shoot(narrow, 'devices-narrow')
} finally {
  await browser.close()
  await server.close()
}
