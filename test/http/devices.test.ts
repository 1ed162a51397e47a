import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Principal } from '../../src/auth/principal.js'
import { applicationAccess } from '../../src/authz/policy.js'
import type { Permission } from '../../src/authz/permissions.js'
import { AppError } from '../../src/errors/app-error.js'
import { DIALECTS } from '../helpers/dialects.js'
import { API_VERSION, expectError, startServer, type TestServer } from '../helpers/server.js'

const TEMPLATE_ID = 'dtmi:contoso:thermostat;1'
const TEMPLATE = {
  '@type': ['ModelDefinition', 'DeviceModel'],
  displayName: 'Thermostat',
  capabilityModel: { '@id': TEMPLATE_ID, '@type': 'Interface', contents: [] },
}
const DEVICE = { displayName: 'Dev 1', template: TEMPLATE_ID, simulated: false, enabled: true }

/** A caller made in-process, to reach the service's own permission check. */
function principal(...permissions: Permission[]): Principal {
  return {
    type: 'apiToken',
    id: 'in-process',
    scheme: 'SharedAccessSignature',
    assignments: [],
    ...applicationAccess(new Set(permissions)),
  }
}

const isForbidden = (error: unknown): boolean => {
  assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`)
  assert.equal(error.code, 'Forbidden')
  assert.equal(error.status, 403)
  return true
}

for (const dialect of DIALECTS) {
  describe(`devices (${dialect})`, () => {
    let server: TestServer

    const put = (id: string, body: unknown, headers?: Record<string, string>) =>
      server.request('PUT', `/api/devices/${id}`, { body, ...(headers ? { headers } : {}) })
    const get = (id: string) => server.request('GET', `/api/devices/${id}`)
    const create = async (id: string, body: unknown = DEVICE) => {
      const response = await put(id, body)
      assert.equal(response.status, 200, response.text)
      return response.body as Record<string, unknown> & { etag: string }
    }
    const expectAbsent = async (id: string) => {
      expectError(await get(id), 404, 'NotFound')
    }
    const expectUnchanged = async (id: string, before: unknown) => {
      const response = await get(id)
      assert.equal(response.status, 200)
      assert.deepEqual(response.body, before)
    }

    before(async () => {
      server = await startServer(dialect)
      const template = await server.request('PUT', `/api/deviceTemplates/${TEMPLATE_ID}`, {
        body: TEMPLATE,
      })
      assert.equal(template.status, 200, template.text)
    })
    after(async () => server?.close())

    describe('authentication and authorization', () => {
      const routes: [string, string, unknown?][] = [
        ['GET', '/api/devices'],
        ['GET', '/api/devices/auth-dev'],
        ['PUT', '/api/devices/auth-new', DEVICE],
        ['PATCH', '/api/devices/auth-dev', { enabled: false }],
        ['DELETE', '/api/devices/auth-dev'],
      ]

      it('answers 401 without a credential on every route, and changes nothing', async () => {
        const existing = await create('auth-dev')
        for (const [method, path, body] of routes) {
          const response = await server.request(method, path, { auth: null, body })
          expectError(response, 401, 'Unauthenticated')
          assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="OpenCentral"')
        }
        await expectUnchanged('auth-dev', existing)
        await expectAbsent('auth-new')
      })

      it('answers 401 to a garbage credential on every route, and changes nothing', async () => {
        const existing = (await get('auth-dev')).body
        for (const auth of ['garbage', 'SharedAccessSignature sr=x&sig=y&skn=z&se=1']) {
          for (const [method, path, body] of routes) {
            const response = await server.request(method, path, { auth, body })
            expectError(
              response,
              401,
              'Unauthenticated',
              'The provided authentication token is invalid.',
            )
            assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/)
          }
        }
        await expectUnchanged('auth-dev', existing)
        await expectAbsent('auth-new')
      })

      it('refuses to create a device for a caller holding only devices.read', async () => {
        await assert.rejects(
          server.app.services.devices.put(principal('devices.read'), 'svc-new', DEVICE),
          isForbidden,
        )
        await expectAbsent('svc-new')
      })

      it('refuses to replace a device for a caller without devices.update', async () => {
        const existing = await create('svc-put')
        for (const caller of [
          principal('devices.read'),
          principal('devices.read', 'devices.create'),
        ]) {
          await assert.rejects(
            server.app.services.devices.put(caller, 'svc-put', {
              ...DEVICE,
              displayName: 'Changed',
            }),
            isForbidden,
          )
        }
        await expectUnchanged('svc-put', existing)
      })

      it('refuses to patch a device for a caller without devices.update', async () => {
        const existing = await create('svc-patch')
        const caller = principal('devices.read', 'devices.create', 'devices.delete')
        await assert.rejects(
          server.app.services.devices.patch(caller, 'svc-patch', { enabled: false }),
          isForbidden,
        )
        await expectUnchanged('svc-patch', existing)
      })
    })

    describe('create and read', () => {
      let created: Record<string, unknown> & { etag: string }

      it('creates a device with PUT and answers it with id, etag and provisioned false', async () => {
        const response = await put('dev-1', DEVICE)
        assert.equal(response.status, 200, response.text)
        const { etag, ...rest } = response.body
        assert.equal(typeof etag, 'string')
        assert.ok(etag.length > 0)
        assert.deepEqual(rest, { id: 'dev-1', provisioned: false, ...DEVICE })
        assert.equal(response.headers.get('etag'), `"${etag}"`)
        created = response.body
      })

      it('answers GET with the same device and its ETag header', async () => {
        const response = await get('dev-1')
        assert.equal(response.status, 200)
        assert.deepEqual(response.body, created)
        assert.deepEqual(response.body, {
          id: 'dev-1',
          etag: created.etag,
          provisioned: false,
          ...DEVICE,
        })
        assert.equal(response.headers.get('etag'), `"${created.etag}"`)
      })

      it('lists the created device', async () => {
        const response = await server.request('GET', '/api/devices', {
          query: { maxpagesize: 100 },
        })
        assert.equal(response.status, 200)
        assert.deepEqual(
          response.body.value.find((d: { id: string }) => d.id === 'dev-1'),
          created,
        )
      })

      it('defaults the display name to the id and enabled to true', async () => {
        const response = await put('dev-defaults', {})
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, {
          id: 'dev-defaults',
          etag: response.body.etag,
          displayName: 'dev-defaults',
          enabled: true,
          provisioned: false,
          simulated: false,
        })
      })

      it('accepts an id in the body equal to the path id', async () => {
        const response = await put('dev-same-id', { ...DEVICE, id: 'dev-same-id' })
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body.id, 'dev-same-id')
        assert.equal(response.body.displayName, 'Dev 1')
      })

      it('answers 404 for unknown ids on GET, PATCH and DELETE', async () => {
        expectError(await get('nope'), 404, 'NotFound', /nope/)
        expectError(
          await server.request('PATCH', '/api/devices/nope', { body: { enabled: false } }),
          404,
          'NotFound',
          /nope/,
        )
        expectError(await server.request('DELETE', '/api/devices/nope'), 404, 'NotFound', /nope/)
        await expectAbsent('nope')
      })
    })

    describe('validation', () => {
      it('refuses a template that does not exist, creating nothing', async () => {
        const response = await put('bad-template', {
          ...DEVICE,
          template: 'dtmi:contoso:missing;1',
        })
        expectError(response, 422, 'UnprocessableEntity', /^template: .*dtmi:contoso:missing;1/)
        await expectAbsent('bad-template')
      })

      it('refuses a template that does not exist when replacing, changing nothing', async () => {
        const existing = await create('bad-template-existing')
        const response = await put('bad-template-existing', {
          ...DEVICE,
          template: 'dtmi:contoso:missing;1',
        })
        expectError(response, 422, 'UnprocessableEntity', /^template: /)
        await expectUnchanged('bad-template-existing', existing)
      })

      it('refuses provisioned: true (read-only), creating nothing', async () => {
        const response = await put('bad-provisioned', { ...DEVICE, provisioned: true })
        expectError(response, 422, 'UnprocessableEntity', /^provisioned: /)
        await expectAbsent('bad-provisioned')
      })

      it('refuses a body id different from the path id, creating nothing', async () => {
        const response = await put('bad-id', { ...DEVICE, id: 'other-id' })
        expectError(response, 422, 'UnprocessableEntity', /^id: .*bad-id/)
        await expectAbsent('bad-id')
        await expectAbsent('other-id')
      })

      it('refuses an unknown member, creating nothing', async () => {
        const response = await put('bad-member', { ...DEVICE, colour: 'red' })
        expectError(response, 422, 'UnprocessableEntity', 'colour: is not a known member.')
        await expectAbsent('bad-member')
      })

      it('refuses an organization that does not exist, creating nothing', async () => {
        const response = await put('bad-org', { ...DEVICE, organizations: ['nope'] })
        expectError(response, 422, 'UnprocessableEntity', /^organizations: .*nope/)
        await expectAbsent('bad-org')
      })

      it('refuses members of the wrong type, creating nothing', async () => {
        const cases: [Record<string, unknown>, string][] = [
          [{ ...DEVICE, enabled: 'yes' }, 'enabled'],
          [{ ...DEVICE, enabled: 'true' }, 'enabled'],
          [{ ...DEVICE, displayName: 42 }, 'displayName'],
          [{ ...DEVICE, simulated: 1 }, 'simulated'],
        ]
        for (const [body, field] of cases) {
          const response = await put('bad-type', body)
          expectError(response, 422, 'UnprocessableEntity', new RegExp(`^${field}`))
        }
        await expectAbsent('bad-type')
      })

      it('refuses an invalid device id in the path, creating nothing', async () => {
        for (const id of [
          '-starts-with-hyphen',
          'has%20space',
          'b%C3%A4d',
          'semi%3Bcolon',
          'x'.repeat(129),
        ]) {
          const response = await put(id, DEVICE)
          expectError(response, 422, 'UnprocessableEntity', /deviceId/)
          await expectAbsent(id)
        }
      })

      it('accepts device ids up to 128 characters', async () => {
        for (const id of ['a', `z${'y'.repeat(100)}`, 'x'.repeat(128), 'A1.b_c:d-E']) {
          const response = await put(id, DEVICE)
          assert.equal(response.status, 200, `PUT of a ${id.length}-character id: ${response.text}`)
          assert.equal(response.body.id, id)
          assert.deepEqual((await get(id)).body, response.body)
        }
      })

      it('answers 400 BadRequest to unparsable JSON, creating nothing', async () => {
        const response = await server.request('PUT', '/api/devices/bad-json', {
          rawBody: '{"displayName": "Dev',
        })
        expectError(response, 400, 'BadRequest')
        await expectAbsent('bad-json')
      })
    })

    describe('etags', () => {
      it('applies a PATCH carrying the current etag and answers a new one', async () => {
        const device = await create('etag-patch')
        const response = await server.request('PATCH', '/api/devices/etag-patch', {
          body: { etag: device.etag, displayName: 'Renamed' },
        })
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body.displayName, 'Renamed')
        assert.notEqual(response.body.etag, device.etag)
        assert.equal(response.headers.get('etag'), `"${response.body.etag}"`)
        await expectUnchanged('etag-patch', response.body)
      })

      it('refuses a PATCH carrying a stale etag in the body with 412, changing nothing', async () => {
        const stale = await create('etag-stale-body')
        const current = (
          await server.request('PATCH', '/api/devices/etag-stale-body', {
            body: { simulated: true },
          })
        ).body
        assert.notEqual(current.etag, stale.etag)
        const response = await server.request('PATCH', '/api/devices/etag-stale-body', {
          body: { etag: stale.etag, displayName: 'Lost update' },
        })
        expectError(response, 412, 'PreconditionFailed')
        await expectUnchanged('etag-stale-body', current)
      })

      it('refuses a PATCH with a stale If-Match header, quoted or not, with 412', async () => {
        const stale = await create('etag-stale-header')
        const current = (
          await server.request('PATCH', '/api/devices/etag-stale-header', {
            body: { enabled: false },
          })
        ).body
        for (const ifMatch of [stale.etag, `"${stale.etag}"`]) {
          const response = await server.request('PATCH', '/api/devices/etag-stale-header', {
            body: { displayName: 'Lost update' },
            headers: { 'if-match': ifMatch },
          })
          expectError(response, 412, 'PreconditionFailed')
        }
        await expectUnchanged('etag-stale-header', current)
      })

      it('applies a PATCH whose If-Match names the current etag, quoted or not', async () => {
        let device = await create('etag-header')
        for (const [i, ifMatch] of [(e: string) => e, (e: string) => `"${e}"`].entries()) {
          const response = await server.request('PATCH', '/api/devices/etag-header', {
            body: { displayName: `Name ${i}` },
            headers: { 'if-match': ifMatch(device.etag) },
          })
          assert.equal(response.status, 200, response.text)
          assert.equal(response.body.displayName, `Name ${i}`)
          assert.notEqual(response.body.etag, device.etag)
          device = response.body
        }
        await expectUnchanged('etag-header', device)
      })

      it('refuses a PUT replacing a device with a stale etag (body or If-Match) with 412', async () => {
        const stale = await create('etag-put')
        const current = await create('etag-put', { ...DEVICE, displayName: 'Second' })
        assert.notEqual(current.etag, stale.etag)
        expectError(
          await put('etag-put', { ...DEVICE, etag: stale.etag, displayName: 'Third' }),
          412,
          'PreconditionFailed',
        )
        expectError(
          await put(
            'etag-put',
            { ...DEVICE, displayName: 'Third' },
            { 'if-match': `"${stale.etag}"` },
          ),
          412,
          'PreconditionFailed',
        )
        await expectUnchanged('etag-put', current)
        const replaced = await put('etag-put', {
          ...DEVICE,
          etag: current.etag,
          displayName: 'Third',
        })
        assert.equal(replaced.status, 200, replaced.text)
        assert.equal(replaced.body.displayName, 'Third')
        assert.notEqual(replaced.body.etag, current.etag)
      })

      it('refuses a PUT with If-Match for a device that does not exist, creating nothing', async () => {
        const response = await put('etag-missing', DEVICE, { 'if-match': '"anything"' })
        expectError(response, 412, 'PreconditionFailed')
        await expectAbsent('etag-missing')
      })

      it('refuses a DELETE with a stale If-Match (412) and deletes with the current one', async () => {
        const stale = await create('etag-delete')
        const current = await create('etag-delete', { ...DEVICE, displayName: 'Second' })
        const refused = await server.request('DELETE', '/api/devices/etag-delete', {
          headers: { 'if-match': `"${stale.etag}"` },
        })
        expectError(refused, 412, 'PreconditionFailed')
        await expectUnchanged('etag-delete', current)
        const deleted = await server.request('DELETE', '/api/devices/etag-delete', {
          headers: { 'if-match': `"${current.etag}"` },
        })
        assert.equal(deleted.status, 204, deleted.text)
        assert.equal(deleted.text, '')
        await expectAbsent('etag-delete')
      })
    })

    describe('merge patch', () => {
      it('changes only the members the patch names', async () => {
        const device = await create('patch-enabled', { ...DEVICE, simulated: true })
        const response = await server.request('PATCH', '/api/devices/patch-enabled', {
          body: { enabled: false },
        })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, { ...device, enabled: false, etag: response.body.etag })
        assert.notEqual(response.body.etag, device.etag)
        await expectUnchanged('patch-enabled', response.body)
      })

      it('resets the display name to the id when patched with null', async () => {
        const device = await create('patch-null')
        const response = await server.request('PATCH', '/api/devices/patch-null', {
          body: { displayName: null },
        })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, {
          ...device,
          displayName: 'patch-null',
          etag: response.body.etag,
        })
        await expectUnchanged('patch-null', response.body)
      })

      it('removes the template when patched with null', async () => {
        const device = await create('patch-template')
        const response = await server.request('PATCH', '/api/devices/patch-template', {
          body: { template: null },
        })
        assert.equal(response.status, 200, response.text)
        const { template, ...rest } = device
        assert.equal(template, TEMPLATE_ID)
        assert.deepEqual(response.body, { ...rest, etag: response.body.etag })
        await expectUnchanged('patch-template', response.body)
      })

      it('resets enabled to true and simulated to false when patched with null', async () => {
        const device = await create('patch-null-flags', {
          ...DEVICE,
          enabled: false,
          simulated: true,
        })
        const response = await server.request('PATCH', '/api/devices/patch-null-flags', {
          body: { enabled: null, simulated: null },
        })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, {
          ...device,
          enabled: true,
          simulated: false,
          etag: response.body.etag,
        })
        await expectUnchanged('patch-null-flags', response.body)
      })

      it('creates a device without a template when PUT carries template: null', async () => {
        const response = await put('put-null-template', {
          ...DEVICE,
          template: null,
          displayName: null,
        })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, {
          id: 'put-null-template',
          etag: response.body.etag,
          displayName: 'put-null-template',
          enabled: true,
          provisioned: false,
          simulated: false,
        })
      })

      it('accepts application/merge-patch+json', async () => {
        const device = await create('patch-content-type')
        const response = await server.request('PATCH', '/api/devices/patch-content-type', {
          body: { simulated: true, displayName: 'Merged' },
          contentType: 'application/merge-patch+json',
        })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, {
          ...device,
          simulated: true,
          displayName: 'Merged',
          etag: response.body.etag,
        })
        await expectUnchanged('patch-content-type', response.body)
      })

      it('refuses a patch naming a template that does not exist, changing nothing', async () => {
        const device = await create('patch-bad-template')
        const response = await server.request('PATCH', '/api/devices/patch-bad-template', {
          body: { template: 'dtmi:contoso:missing;1' },
        })
        expectError(response, 422, 'UnprocessableEntity', /^template: /)
        await expectUnchanged('patch-bad-template', device)
      })

      it('refuses provisioned: true and unknown members in a patch, changing nothing', async () => {
        const device = await create('patch-bad')
        expectError(
          await server.request('PATCH', '/api/devices/patch-bad', { body: { provisioned: true } }),
          422,
          'UnprocessableEntity',
          /^provisioned: /,
        )
        expectError(
          await server.request('PATCH', '/api/devices/patch-bad', { body: { colour: 'red' } }),
          422,
          'UnprocessableEntity',
          'colour: is not a known member.',
        )
        expectError(
          await server.request('PATCH', '/api/devices/patch-bad', {
            rawBody: '{"enabled":',
            contentType: 'application/merge-patch+json',
          }),
          400,
          'BadRequest',
        )
        await expectUnchanged('patch-bad', device)
      })
    })

    describe('delete', () => {
      it('deletes with 204, then answers 404 to GET and to a second DELETE', async () => {
        await create('to-delete')
        const deleted = await server.request('DELETE', '/api/devices/to-delete')
        assert.equal(deleted.status, 204, deleted.text)
        assert.equal(deleted.text, '')
        await expectAbsent('to-delete')
        expectError(await server.request('DELETE', '/api/devices/to-delete'), 404, 'NotFound')
        const list = await server.request('GET', '/api/devices', { query: { maxpagesize: 100 } })
        assert.equal(list.status, 200)
        assert.ok(!list.body.value.some((d: { id: string }) => d.id === 'to-delete'))
      })
    })
  })

  describe(`device paging (${dialect})`, () => {
    const COUNT = 10_000
    let server: TestServer
    // Ids over the whole alphabet, so that both engines must order them byte-wise.
    const FIRST = 'AZaz09'
    const SECOND = '._:-Mm5'
    const ids = Array.from(
      { length: COUNT },
      (_, i) => `${FIRST[(i * 7) % FIRST.length]}${SECOND[(i * 3) % SECOND.length]}${i}`,
    )
    const sorted = [...ids].sort()

    before(async () => {
      server = await startServer(dialect)
      const now = Math.floor(server.clock.now / 1000)
      for (let start = 0; start < COUNT; start += 500) {
        const rows = ids.slice(start, start + 500).map((id) => ({
          id,
          display_name: `Device ${id}`,
          template: null,
          enabled: 1,
          provisioned: 0,
          simulated: 0,
          organization_id: null,
          etag: 'e',
          created_at: now,
          updated_at: now,
        }))
        await server.app.store.db.insertInto('devices').values(rows).execute()
      }
    })
    after(async () => server?.close())

    it('follows nextLink through 10,000 devices: each once, in id order, pages of at most 100', async () => {
      const seen: string[] = []
      let response = await server.request('GET', '/api/devices', { query: { maxpagesize: 100 } })
      let pages = 0
      for (;;) {
        assert.equal(response.status, 200, response.text)
        pages++
        const { value, nextLink } = response.body as { value: { id: string }[]; nextLink?: string }
        assert.ok(value.length <= 100, `page ${pages} has ${value.length} items`)
        assert.ok(value.length > 0, `page ${pages} is empty`)
        seen.push(...value.map((d) => d.id))
        if (nextLink === undefined) break
        assert.ok(pages < COUNT, 'nextLink never ends')
        const link = new URL(nextLink)
        assert.equal(link.origin, new URL(server.url).origin)
        assert.equal(link.pathname, '/api/devices')
        assert.equal(link.searchParams.get('api-version'), API_VERSION)
        assert.equal(link.searchParams.get('maxpagesize'), '100')
        response = await server.request('GET', nextLink)
      }
      assert.equal(pages, COUNT / 100)
      assert.equal(seen.length, COUNT)
      assert.equal(new Set(seen).size, COUNT)
      assert.deepEqual(seen, sorted)
      assert.equal(response.body.nextLink, undefined)
    })

    it('answers 25 devices by default, with a nextLink to the next 25', async () => {
      const first = await server.request('GET', '/api/devices')
      assert.equal(first.status, 200)
      assert.deepEqual(
        first.body.value.map((d: { id: string }) => d.id),
        sorted.slice(0, 25),
      )
      assert.deepEqual(first.body.value[0], {
        id: sorted[0],
        etag: 'e',
        displayName: `Device ${sorted[0]}`,
        enabled: true,
        provisioned: false,
        simulated: false,
      })
      const link = new URL(first.body.nextLink)
      assert.equal(link.searchParams.get('maxpagesize'), '25')
      const second = await server.request('GET', first.body.nextLink)
      assert.equal(second.status, 200)
      assert.deepEqual(
        second.body.value.map((d: { id: string }) => d.id),
        sorted.slice(25, 50),
      )
    })

    it('answers 400 BadRequest to a page size out of range or not a number', async () => {
      for (const maxpagesize of ['0', '101', 'abc', '-1', '2.5']) {
        const response = await server.request('GET', '/api/devices', { query: { maxpagesize } })
        expectError(response, 400, 'BadRequest', /maxpagesize/)
      }
    })

    it('answers 400 BadRequest to a tampered $skiptoken', async () => {
      const first = await server.request('GET', '/api/devices', { query: { maxpagesize: 10 } })
      const token = new URL(first.body.nextLink).searchParams.get('$skiptoken')!
      const encode = (text: string) => Buffer.from(text).toString('base64url')
      for (const $skiptoken of [
        'garbage',
        token.slice(0, -4),
        `${token.slice(0, 5)}${token.slice(6)}`,
        encode('{"after":5}'),
        encode('[]'),
        encode('null'),
        '',
      ]) {
        const response = await server.request('GET', '/api/devices', {
          query: { maxpagesize: 10, $skiptoken },
        })
        expectError(response, 400, 'BadRequest', /skiptoken/)
      }
    })
  })
}
