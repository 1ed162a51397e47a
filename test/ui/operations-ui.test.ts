import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { AccountService } from '../../src/idp/accounts.js'
import { chromiumMissing, launchChromium, signIn } from '../helpers/chromium.js'
import { ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'
import { createCa, issue } from '../helpers/x509-chain.js'

const EMAIL = 'ada@example.com'
const PASSWORD = 'correct horse battery staple'
const PUMP = 'dtmi:contoso:pump;1'

// One engine is enough here: the browser drives the same API whose store tests run on both.
describe('web UI in Chromium: groups, device connection, jobs (sqlite)', { skip: chromiumMissing }, () => {
  let server: TestServer
  let browser: Browser
  let page: Page

  const put = async (path: string, body: unknown) => {
    const response = await server.request('PUT', path, { body })
    assert.equal(response.status, 200, `${path}: ${response.text}`)
    return response.body
  }
  const nav = (name: string) =>
    page.getByRole('navigation').getByRole('link', { name, exact: true }).click()
  /** Clicks a dialog's submit button; the dialog closes, or its error fails the test in its words. */
  const submit = async (name: string) => {
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('button', { name, exact: true }).click()
    const alert = dialog.getByRole('alert')
    await Promise.race([dialog.waitFor({ state: 'detached' }), alert.waitFor()])
    if (await alert.isVisible()) throw new Error(`the dialog says: ${await alert.innerText()}`)
  }
  const previewSays = (text: string) =>
    page.getByRole('region', { name: 'Matching devices' }).getByText(text, { exact: true }).waitFor()

  before(async () => {
    server = await startServer(process.env.UI_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite')
    await server.app.setup!.complete({ email: EMAIL, password: PASSWORD, name: 'Ada' })
    await put('/api/organizations/plant-a', { displayName: 'Plant A' })
    await put(`/api/deviceTemplates/${encodeURIComponent(PUMP)}`, {
      '@type': ['ModelDefinition', 'DeviceModel'],
      displayName: 'Pump',
      capabilityModel: {
        '@id': `${PUMP}:model`,
        '@type': 'Interface',
        contents: [
          { '@type': 'Property', name: 'speed', schema: 'integer', writable: true },
          { '@type': ['Property', 'Cloud'], name: 'site', schema: 'string' },
          { '@type': 'Command', name: 'reboot' },
        ],
      },
    })
    await put('/api/devices/pump-1', { displayName: 'Pump 1', template: PUMP })
    await put('/api/devices/pump-2', { displayName: 'Pump 2', template: PUMP })
    await put('/api/devices/valve-1', { displayName: 'Valve 1' })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    server.clock.now = Math.max(server.clock.now, Date.now())
    await signIn(page, server.url, EMAIL, PASSWORD)
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('creates a device group with the condition editor, the preview following each change', async () => {
    await nav('Device groups')
    await page.getByRole('button', { name: 'New device group' }).click()
    await page.getByLabel('Group id').fill('pumps')
    await page.getByLabel('Group name').fill('Pumps')
    await previewSays('3 devices match.')

    await page.getByRole('button', { name: 'Add condition' }).click()
    assert.equal(await page.getByLabel('Value of condition 1').inputValue(), PUMP)
    await previewSays('2 devices match.')
    await page.getByLabel('Operator of condition 1').selectOption({ label: 'is not' })
    await previewSays('1 device matches.')
    await page.getByRole('region', { name: 'Matching devices' }).getByText('Valve 1 (valve-1)').waitFor()
    await page.getByLabel('Operator of condition 1').selectOption({ label: 'is' })
    await previewSays('2 devices match.')

    await page.getByRole('button', { name: 'Add condition' }).click()
    await page.getByLabel('Field of condition 2').selectOption({ label: 'Device id' })
    await page.getByLabel('Operator of condition 2').selectOption({ label: 'ends with' })
    await page.getByLabel('Value of condition 2').fill('-2')
    await previewSays('1 device matches.')

    // The query text says what the conditions say; an error in it shows the server's message.
    await page.getByRole('button', { name: 'Query text' }).click()
    const query = page.getByLabel('Query', { exact: true })
    assert.equal(
      await query.inputValue(),
      `SELECT * FROM devices WHERE $template = "${PUMP}" AND ENDSWITH($id, "-2")`,
    )
    await query.fill('SELECT * FROM devices WHERE $template = ')
    const alert = page.getByRole('dialog').getByRole('alert')
    await alert.waitFor()
    assert.match(await alert.innerText(), /character \d+/)
    await query.fill(`SELECT * FROM devices WHERE $template = "${PUMP}"`)
    await previewSays('2 devices match.')
    assert.equal(await alert.count(), 0)
    await page.getByRole('button', { name: 'Conditions' }).click()
    assert.equal(await page.getByLabel('Value of condition 1').inputValue(), PUMP)
    assert.equal(await page.getByLabel('Field of condition 2').count(), 0)

    await submit('Create')
    await page.getByRole('link', { name: 'Pumps' }).click()
    await page.getByRole('row', { name: /pump-1/ }).waitFor()
    await page.getByRole('row', { name: /pump-2/ }).waitFor()
    assert.equal(await page.getByRole('row', { name: /valve-1/ }).count(), 0)
    const group = await server.request('GET', '/api/deviceGroups/pumps')
    assert.equal(group.body.filter, `SELECT * FROM devices WHERE $template = "${PUMP}"`)
    assert.equal(group.body.displayName, 'Pumps')

    // Editing reads the filter back into conditions.
    await page.getByRole('button', { name: 'Edit', exact: true }).click()
    assert.equal(await page.getByLabel('Value of condition 1').inputValue(), PUMP)
    await previewSays('2 devices match.')
    await page.getByLabel('Description').fill('Every pump')
    await submit('Save')
    await page.getByText('Every pump').waitFor()
    const edited = await server.request('GET', '/api/deviceGroups/pumps')
    assert.deepEqual([edited.body.description, edited.body.filter], ['Every pump', group.body.filter])
  })

  it('creates a SAS device connection group whose keys show only on demand, and disables it', async () => {
    await nav('Device connection groups')
    await page.getByRole('button', { name: 'New group' }).click()
    await page.getByLabel('Group id').fill('factory-floor')
    await page.getByLabel('Group name').fill('Factory floor')
    await page.getByLabel('Devices', { exact: true }).selectOption({ label: 'IoT devices' })
    await page.getByLabel('Attestation').selectOption({ label: 'Shared access signature (SAS)' })
    await submit('Create')

    const primary = page.getByRole('textbox', { name: 'Primary key' })
    await primary.waitFor()
    const stored = await server.request('GET', '/api/enrollmentGroups/factory-floor')
    assert.equal(stored.status, 200, stored.text)
    const key = stored.body.attestation.symmetricKey.primaryKey as string
    assert.ok(key.length > 20)
    assert.notEqual(await primary.inputValue(), key)
    assert.equal((await page.content()).includes(key), false, 'the key is not in the page until shown')

    await page.getByRole('button', { name: 'Show primary key' }).click()
    assert.equal(await primary.inputValue(), key)
    const secondaryKey = stored.body.attestation.symmetricKey.secondaryKey as string
    assert.equal((await page.content()).includes(secondaryKey), false, 'only the key asked for')
    await page.getByRole('button', { name: 'Hide primary key' }).click()
    assert.notEqual(await primary.inputValue(), key)

    await nav('Device connection groups')
    await page.getByRole('button', { name: 'Disable Factory floor' }).click()
    await page.getByRole('row', { name: /Factory floor.*Disabled/ }).waitFor()
    const disabled = await server.request('GET', '/api/enrollmentGroups/factory-floor')
    assert.equal(disabled.body.enabled, false)
    assert.equal((await page.content()).includes(key), false, 'the list shows no key')
  })

  it('verifies an X.509 group certificate: upload, verification code, signed proof', async () => {
    const ca = await createCa('Contoso root')
    await nav('Device connection groups')
    await page.getByRole('button', { name: 'New group' }).click()
    await page.getByLabel('Group id').fill('edge-certs')
    await page.getByLabel('Group name').fill('Edge certificates')
    await page.getByLabel('Devices', { exact: true }).selectOption({ label: 'IoT Edge devices' })
    await page.getByLabel('Attestation').selectOption({ label: 'Certificates (X.509)' })
    await submit('Create')

    const primary = page.getByRole('region', { name: 'Primary certificate' })
    await primary.getByText('No certificate yet.').waitFor()
    await primary.getByLabel('Upload a primary certificate').setInputFiles({
      name: 'root.pem',
      mimeType: 'application/x-pem-file',
      buffer: Buffer.from(ca.pem),
    })
    await primary.getByText(ca.thumbprint).waitFor()
    await primary.getByText('Not verified').waitFor()

    await primary.getByRole('button', { name: 'Generate verification code' }).click()
    const code = await primary.getByRole('textbox', { name: 'Verification code' })
    await code.waitFor()
    const proof = await issue(await code.inputValue(), ca)
    await primary.getByLabel('Upload the verification certificate').setInputFiles({
      name: 'proof.cer',
      mimeType: 'application/pkix-cert',
      buffer: Buffer.from(proof.der, 'base64'),
    })
    await primary.getByText('Verified', { exact: true }).waitFor()
    const stored = await server.request('GET', '/api/enrollmentGroups/edge-certs/certificates/primary')
    assert.equal(stored.body.verified, true)
    assert.equal(stored.body.info.sha1Thumbprint, ca.thumbprint)
    const secondary = page.getByRole('region', { name: 'Secondary certificate' })
    await secondary.getByText('No certificate yet.').waitFor()
  })

  it("shows what a device connects with, its keys hidden until shown", async () => {
    const credentials = await server.request('GET', '/api/devices/pump-1/credentials')
    assert.equal(credentials.status, 200, credentials.text)
    await nav('Devices')
    await page.getByRole('button', { name: 'Connect pump-1' }).click()
    const dialog = page.getByRole('dialog', { name: 'Connect pump-1' })
    const scope = dialog.getByRole('textbox', { name: 'ID scope' })
    await scope.waitFor()
    assert.equal(await scope.inputValue(), credentials.body.idScope)
    const key = credentials.body.symmetricKey.primaryKey as string
    assert.equal((await page.content()).includes(key), false)
    await dialog.getByRole('button', { name: 'Show primary key' }).click()
    assert.equal(await dialog.getByRole('textbox', { name: 'Primary key' }).inputValue(), key)
    await dialog.getByRole('button', { name: 'Close' }).click()
  })

  it("runs a job on a group, shows each device's status, stops and resumes it, and reruns it on failed devices", async () => {
    // The runner is driven by hand here, so the job is seen between its steps.
    const runner = server.app.services.jobs.runner
    await runner.stop()

    await nav('Jobs')
    await page.getByRole('button', { name: 'New job' }).click()
    await page.getByLabel('Job id').fill('set-speed')
    await page.getByLabel('Job name').fill('Set speed')
    await page.getByLabel('Device group').selectOption({ label: 'Pumps' })
    // A command job: its devices are not connected, so each fails (IoT Central's rule) and can be rerun.
    await page.getByLabel('Job type').selectOption({ label: 'Command' })
    await page.getByLabel('Command', { exact: true }).selectOption('reboot')
    await page.getByLabel('Run in batches').check()
    await page.getByLabel('Batch size', { exact: true }).fill('1')
    await submit('Run')
    await page.waitForURL(/\/jobs\/set-speed$/)
    await page.getByRole('heading', { name: 'Set speed' }).waitFor()
    const created = await server.request('GET', '/api/jobs/set-speed')
    assert.equal(created.body.data[0].type, 'command')
    assert.equal(created.body.data[0].target, PUMP)
    assert.equal(created.body.data[0].path, 'reboot')
    assert.deepEqual(created.body.batch, { type: 'number', value: 1 })

    // One step: the group's devices are taken into the job, and the first batch (one device) is done.
    await runner.runOnce()
    await page.getByRole('button', { name: 'Refresh' }).click()
    const statuses = page.getByRole('table', { name: 'Device statuses' })
    await statuses.getByRole('row', { name: /pump-1 Failed/ }).waitFor()
    await statuses.getByRole('row', { name: /pump-2 Pending/ }).waitFor()
    await page.getByText('0 of 2 completed, 1 failed, 1 pending').waitFor()

    await page.getByRole('button', { name: 'Stop' }).click()
    await page.getByRole('button', { name: 'Resume' }).waitFor()
    assert.equal((await server.request('GET', '/api/jobs/set-speed')).body.status, 'stopped')
    await page.getByRole('button', { name: 'Resume' }).click()
    await page.getByRole('button', { name: 'Stop' }).waitFor()
    assert.equal((await server.request('GET', '/api/jobs/set-speed')).body.status, 'running')

    await runner.runUntilIdle()
    await page.getByRole('button', { name: 'Refresh' }).click()
    await statuses.getByRole('row', { name: /pump-2 Failed/ }).waitFor()
    await page.getByText('Completed', { exact: true }).waitFor()
    await page.getByRole('button', { name: 'Rerun on failed devices' }).click()
    await page.waitForURL((url) => /^\/jobs\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/set-speed'))
    const rerunId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] as string)
    const rerun = await server.request('GET', `/api/jobs/${encodeURIComponent(rerunId)}`)
    assert.equal(rerun.status, 200, rerun.text)
    assert.equal(rerun.body.group, 'pumps')

    await nav('Jobs')
    await page.getByRole('row', { name: /Set speed/ }).first().waitFor()
    assert.equal(await page.getByRole('row', { name: /Set speed/ }).count(), 2)
  })

  it('creates a scheduled job that repeats weekly three times, then disables it', async () => {
    await nav('Scheduled jobs')
    await page.getByRole('button', { name: 'New scheduled job' }).click()
    await page.getByLabel('Scheduled job id').fill('weekly-reboot')
    await page.getByLabel('Job name').fill('Weekly reboot')
    await page.getByLabel('Device group').selectOption({ label: 'Pumps' })
    await page.getByLabel('Job type').selectOption({ label: 'Command' })
    await page.getByLabel('Command', { exact: true }).selectOption('reboot')
    await page.getByLabel('Starts at').fill('2030-01-07T09:30')
    await page.getByLabel('Repeats').selectOption({ label: 'Every week' })
    await page.getByLabel('Ends').selectOption({ label: 'After a number of runs' })
    await page.getByLabel('Number of runs').fill('3')
    await submit('Create')
    await page.getByRole('row', { name: /Weekly reboot.*Every week.*3 times/ }).waitFor()

    const stored = await server.request('GET', '/api/scheduledJobs/weekly-reboot')
    assert.equal(stored.status, 200, stored.text)
    assert.equal(stored.body.schedule.recurrence, 'weekly')
    assert.deepEqual(stored.body.schedule.end, { type: 'occurrences', occurrences: 3 })
    assert.equal(stored.body.enabled, true)
    assert.deepEqual(stored.body.data, [{ type: 'command', target: PUMP, path: 'reboot' }])
    const start = await page.evaluate(() => new Date('2030-01-07T09:30').toISOString())
    assert.equal(Date.parse(stored.body.schedule.start), Date.parse(start))

    await page.getByRole('button', { name: 'Edit Weekly reboot' }).click()
    await page.getByLabel('Enabled').uncheck()
    await submit('Save')
    await page.getByRole('row', { name: /Weekly reboot.*Disabled/ }).waitFor()
    const edited = await server.request('GET', '/api/scheduledJobs/weekly-reboot')
    assert.equal(edited.body.enabled, false)
    assert.deepEqual(edited.body.schedule.end, { type: 'occurrences', occurrences: 3 })

    await page.getByRole('link', { name: 'Weekly reboot' }).click()
    await page.getByText('It has not run yet.').waitFor()
  })

  it('shows each person only the pages and buttons their roles open', async () => {
    // Device connection groups belong to the whole application: held in an organization, the
    // permission to read them opens nothing.
    await put('/api/roles/plant-connectivity', {
      displayName: 'Plant connectivity',
      type: 'organization',
      permissions: ['devices.read', 'deviceConnectivity.readGlobal'],
    })
    const people = [
      ['otto@example.com', 'otto', { role: ROLE_IDS.operator }],
      ['orla@example.com', 'orla', { role: ROLE_IDS.orgOperator, organization: 'plant-a' }],
      ['cora@example.com', 'cora', { role: 'plant-connectivity', organization: 'plant-a' }],
    ] as const
    for (const [email, id, role] of people) {
      await new AccountService(server.app.store, server.clock.read).add(email, PASSWORD)
      await put(`/api/users/${id}`, { type: 'email', email, roles: [role] })
    }
    const context = await browser.newContext()
    try {
      const other = await context.newPage()
      const links = async () =>
        (await other.getByRole('navigation').getByRole('link').allInnerTexts()).map((text) =>
          text.trim(),
        )

      // An Operator runs jobs on groups, but neither sees device connection groups nor a device's keys.
      // The server's clock stands still unless moved; tokens the issuer makes now must not be
      // "not yet valid" to it.
      server.clock.now = Math.max(server.clock.now, Date.now())
      await signIn(other, server.url, 'otto@example.com', PASSWORD)
      await other.getByRole('row', { name: /pump-1/ }).waitFor()
      assert.deepEqual(await links(), [
        'Devices',
        'Device groups',
        'Device templates',
        'Jobs',
        'Scheduled jobs',
      ])
      assert.equal(await other.getByRole('button', { name: 'Connect pump-1' }).count(), 0)
      await other.getByRole('link', { name: 'Jobs', exact: true }).click()
      await other.getByRole('button', { name: 'New job' }).waitFor()
      // Its address answers with the first page the Operator may see (the session outlives the load).
      await other.goto(`${server.url}/admin/device-connection-groups`)
      await other.getByRole('heading', { name: 'Devices' }).waitFor()
      assert.equal(await other.getByRole('heading', { name: 'Device connection groups' }).count(), 0)

      // An Org Operator reads the groups of its organization (none here) and runs no jobs.
      await other.context().clearCookies()
      server.clock.now = Math.max(server.clock.now, Date.now())
      await signIn(other, server.url, 'orla@example.com', PASSWORD)
      await other.getByRole('heading', { name: 'Devices' }).waitFor()
      assert.deepEqual(await links(), ['Devices', 'Device groups', 'Device templates'])
      await other.getByRole('link', { name: 'Device groups', exact: true }).click()
      await other.getByText('No device groups yet.').waitFor()
      assert.equal(await other.getByRole('button', { name: 'New device group' }).count(), 0)

      await other.context().clearCookies()
      server.clock.now = Math.max(server.clock.now, Date.now())
      await signIn(other, server.url, 'cora@example.com', PASSWORD)
      await other.getByRole('heading', { name: 'Devices' }).waitFor()
      assert.deepEqual(await links(), ['Devices', 'Device groups', 'Device templates'])
    } finally {
      await context.close()
    }
  })
})
