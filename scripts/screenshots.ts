// Takes the README's screenshots of the web application: a real server over a fresh SQLite store
// with a little sample data, driven by Debian's chromium. Run with `npm run docs:screenshots`
// after `npm run build` (the pages are the built ones).
import type { Page } from 'playwright-core'
import { ROLE_IDS } from '../src/authz/builtin-roles.js'
import { launchChromium, signIn } from '../test/helpers/chromium.js'
import { startServer, type TestServer } from '../test/helpers/server.js'
import { createCa } from '../test/helpers/x509-chain.js'

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
    capabilityModel: {
      '@id': templateId,
      '@type': 'Interface',
      contents: [
        { '@type': 'Property', name: 'targetTemperature', schema: 'double', writable: true },
        { '@type': ['Property', 'Cloud'], name: 'site', schema: 'string' },
        { '@type': 'Command', name: 'reboot' },
      ],
    },
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
  await put('/api/deviceGroups/plant-a-thermostats', {
    displayName: 'Plant A thermostats',
    description: 'Every thermostat of Plant A',
    filter: `SELECT * FROM devices WHERE $template = "${templateId}" AND $organizations = "plant-a"`,
  })
  await put('/api/deviceGroups/thermostats', {
    displayName: 'All thermostats',
    filter: `SELECT * FROM devices WHERE $template = "${templateId}"`,
  })
  await put('/api/enrollmentGroups/factory-sas', {
    displayName: 'Factory devices (SAS)',
    type: 'iot',
    attestation: { type: 'symmetricKey' },
  })
  await put('/api/enrollmentGroups/edge-x509', {
    displayName: 'Edge gateways (X.509)',
    type: 'iotEdge',
    attestation: { type: 'x509' },
  })
  const ca = await createCa('Contoso device root')
  await put('/api/enrollmentGroups/edge-x509/certificates/primary', { certificate: ca.pem })
  await put('/api/jobs/site-plant-a', {
    displayName: 'Set site to Plant A',
    group: 'plant-a-thermostats',
    data: [{ type: 'cloudProperty', target: templateId, path: 'site', value: 'Plant A' }],
  })
  await put('/api/jobs/target-21', {
    displayName: 'Target temperature 21 °C',
    group: 'thermostats',
    data: [{ type: 'property', target: templateId, path: 'targetTemperature', value: 21 }],
    batch: { type: 'number', value: 1 },
  })
  await put('/api/scheduledJobs/weekly-reboot', {
    displayName: 'Weekly reboot',
    group: 'thermostats',
    data: [{ type: 'command', target: templateId, path: 'reboot' }],
    schedule: {
      start: '2027-01-04T02:00:00.000Z',
      recurrence: 'weekly',
      end: { type: 'occurrences', occurrences: 10 },
    },
  })
  await server.app.services.jobs.runner.runUntilIdle()
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

  await page.getByRole('link', { name: 'Device groups', exact: true }).click()
  await page.getByRole('button', { name: 'Edit Plant A thermostats' }).click()
  await page.getByText('2 devices match.').waitFor()
  await shoot(page, 'device-group-editor')
  await page.keyboard.press('Escape')
  await page.getByRole('link', { name: 'All thermostats' }).click()
  await page.getByRole('row', { name: /thermostat-03/ }).waitFor()
  await shoot(page, 'device-group')

  await page.getByRole('link', { name: 'Devices', exact: true }).click()
  await page.getByRole('button', { name: 'Connect thermostat-01' }).click()
  await page.getByRole('textbox', { name: 'ID scope' }).waitFor()
  await shoot(page, 'device-connect')
  await page.keyboard.press('Escape')

  await page.getByRole('link', { name: 'Device connection groups', exact: true }).click()
  await page.getByRole('link', { name: 'Edge gateways (X.509)' }).click()
  await page.getByText('Not verified').waitFor()
  await page.getByRole('button', { name: 'Generate verification code' }).click()
  await page.getByRole('textbox', { name: 'Verification code' }).waitFor()
  await shoot(page, 'device-connection-group-x509')
  await page.getByRole('link', { name: 'Device connection groups', exact: true }).click()
  await page.getByRole('link', { name: 'Factory devices (SAS)' }).click()
  await page.getByRole('button', { name: 'Show primary key' }).click()
  await shoot(page, 'device-connection-group-sas')

  await page.getByRole('link', { name: 'Jobs', exact: true }).click()
  await page.getByRole('row', { name: /Set site to Plant A/ }).waitFor()
  await shoot(page, 'jobs')
  await page.getByRole('link', { name: 'Target temperature 21 °C' }).click()
  await page.getByRole('row', { name: /thermostat-03/ }).waitFor()
  await shoot(page, 'job')
  await page.getByRole('link', { name: 'Scheduled jobs', exact: true }).click()
  await page.getByRole('button', { name: 'Edit Weekly reboot' }).click()
  await page.getByLabel('Number of runs').waitFor()
  await shoot(page, 'scheduled-job-editor')
  await page.keyboard.press('Escape')

  const narrow = await browser.newPage({ viewport: { width: 390, height: 800 } })
  await signIn(narrow, server.url, EMAIL, PASSWORD)
  await narrow.getByRole('row', { name: /thermostat-01/ }).waitFor()
  await shoot(narrow, 'devices-narrow')
} finally {
  await browser.close()
  await server.close()
}
