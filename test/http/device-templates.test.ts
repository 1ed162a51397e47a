import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const template = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  '@type': ['ModelDefinition', 'DeviceModel'],
  displayName: 'Thermostat',
  capabilityModel: { '@id': id, '@type': 'Interface', contents: [] },
  ...extra,
})

interface Listed {
  value: { '@id': string }[]
  nextLink?: string
}

for (const dialect of DIALECTS) {
  describe(`device templates (${dialect})`, () => {
    let server: TestServer
    let operator: string

    const path = (id: string) => `/api/deviceTemplates/${id}`
    const put = (id: string, body: unknown, headers?: Record<string, string>) =>
      server.request('PUT', path(id), { body, ...(headers ? { headers } : {}) })
    const get = (id: string) => server.request('GET', path(id))
    const create = async (id: string, body: unknown = template(id)) => {
      const response = await put(id, body)
      assert.equal(response.status, 200, response.text)
      return response.body as Record<string, unknown> & { etag: string }
    }
    const listedIds = async () => {
      const ids: string[] = []
      let response = await server.request<Listed>('GET', '/api/deviceTemplates', {
        query: { maxpagesize: 100 },
      })
      for (;;) {
        assert.equal(response.status, 200, response.text)
        ids.push(...response.body.value.map((t) => t['@id']))
        if (!response.body.nextLink) return ids
        response = await server.request<Listed>('GET', response.body.nextLink)
      }
    }
    const expectAbsent = async (id: string) => {
      expectError(await get(id), 404, 'NotFound')
      assert.ok(!(await listedIds()).includes(id), `${id} is listed`)
    }
    const expectUnchanged = async (id: string, before: unknown) => {
      const response = await get(id)
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body, before)
    }

    before(async () => {
      server = await startServer(dialect)
      operator = await server.createToken('operator', [ROLE_IDS.operator])
    })
    after(async () => server?.close())

    describe('authentication and authorization', () => {
      const ID = 'dtmi:contoso:auth;1'
      const routes = (): [string, string, unknown?][] => [
        ['GET', '/api/deviceTemplates'],
        ['GET', path(ID)],
        ['PUT', path('dtmi:contoso:authNew;1'), template('dtmi:contoso:authNew;1')],
        ['DELETE', path(ID)],
      ]

      it('answers 401 without a credential on every route, and changes nothing', async () => {
        const existing = await create(ID)
        for (const [method, route, body] of routes()) {
          const response = await server.request(method, route, { auth: null, body })
          expectError(response, 401, 'Unauthenticated')
          assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="OpenCentral"')
        }
        await expectUnchanged(ID, existing)
        await expectAbsent('dtmi:contoso:authNew;1')
      })

      it('answers 401 to a garbage credential on every route, and changes nothing', async () => {
        const existing = (await get(ID)).body
        for (const auth of ['garbage', 'SharedAccessSignature sr=x&sig=y&skn=z&se=1']) {
          for (const [method, route, body] of routes()) {
            const response = await server.request(method, route, { auth, body })
            expectError(
              response,
              401,
              'Unauthenticated',
              'The provided authentication token is invalid.',
            )
            assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/)
          }
        }
        await expectUnchanged(ID, existing)
        await expectAbsent('dtmi:contoso:authNew;1')
      })

      it('lets an Operator read templates', async () => {
        const existing = (await get(ID)).body
        const one = await server.request('GET', path(ID), { auth: operator })
        assert.equal(one.status, 200, one.text)
        assert.deepEqual(one.body, existing)
        const list = await server.request('GET', '/api/deviceTemplates', { auth: operator })
        assert.equal(list.status, 200, list.text)
        assert.deepEqual(
          list.body.value.find((t: { '@id': string }) => t['@id'] === ID),
          existing,
        )
      })

      it('refuses PUT to an Operator with 403, creating and replacing nothing', async () => {
        const existing = (await get(ID)).body
        const created = await server.request('PUT', path('dtmi:contoso:byOperator;1'), {
          auth: operator,
          body: template('dtmi:contoso:byOperator;1'),
        })
        expectError(created, 403, 'Forbidden', /deviceTemplates\.manage/)
        await expectAbsent('dtmi:contoso:byOperator;1')
        const replaced = await server.request('PUT', path(ID), {
          auth: operator,
          body: template(ID, { displayName: 'Changed by operator' }),
        })
        expectError(replaced, 403, 'Forbidden', /deviceTemplates\.manage/)
        await expectUnchanged(ID, existing)
      })

      it('refuses DELETE to an Operator with 403, deleting nothing', async () => {
        const existing = (await get(ID)).body
        const response = await server.request('DELETE', path(ID), { auth: operator })
        expectError(response, 403, 'Forbidden', /deviceTemplates\.manage/)
        await expectUnchanged(ID, existing)
      })

      it('answers 404 for unknown ids on GET and DELETE', async () => {
        const unknown = 'dtmi:contoso:unknown;1'
        expectError(await get(unknown), 404, 'NotFound', /dtmi:contoso:unknown;1/)
        expectError(
          await server.request('DELETE', path(unknown)),
          404,
          'NotFound',
          /dtmi:contoso:unknown;1/,
        )
        await expectAbsent(unknown)
      })
    })

    describe('create and read', () => {
      const ID = 'dtmi:contoso:thermostat;1'
      const BODY = template(ID, {
        '@context': ['dtmi:iotcentral:context;2', 'dtmi:dtdl:context;2'],
        description: 'Reports the temperature',
      })

      it('creates a template with PUT and answers it with @id, @type, capabilityModel and etag', async () => {
        const response = await put(ID, BODY)
        assert.equal(response.status, 200, response.text)
        const { etag, ...rest } = response.body
        assert.equal(typeof etag, 'string')
        assert.ok(etag.length > 0)
        assert.deepEqual(rest, { '@id': ID, ...BODY })
      })

      it('answers GET with the same template, extra members included', async () => {
        const response = await get(ID)
        assert.equal(response.status, 200, response.text)
        const { etag, ...rest } = response.body
        assert.equal(typeof etag, 'string')
        assert.deepEqual(rest, { '@id': ID, ...BODY })
        assert.deepEqual(response.body['@context'], BODY['@context'])
      })

      it('finds the template with a percent-encoded id', async () => {
        const expected = (await get(ID)).body
        const response = await get(encodeURIComponent(ID))
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, expected)
      })

      it('lists the template', async () => {
        const expected = (await get(ID)).body
        const response = await server.request('GET', '/api/deviceTemplates')
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(
          response.body.value.find((t: { '@id': string }) => t['@id'] === ID),
          expected,
        )
      })

      it('accepts a body @id equal to the path id', async () => {
        const id = 'dtmi:contoso:sameId;2'
        const response = await put(id, template(id, { '@id': id }))
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body['@id'], id)
        assert.deepEqual((await get(id)).body, response.body)
      })

      it('accepts a DTMI of 128 characters', async () => {
        const id = `dtmi:contoso:${'a'.repeat(113)};1`
        assert.equal(id.length, 128)
        const response = await put(id, template(id))
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body['@id'], id)
        assert.deepEqual((await get(id)).body, response.body)
      })

      it('replaces a template on a second PUT and answers a new etag', async () => {
        const id = 'dtmi:contoso:replaced;1'
        const first = await create(id)
        const second = await create(id, template(id, { displayName: 'Replaced' }))
        assert.equal(second.displayName, 'Replaced')
        assert.notEqual(second.etag, first.etag)
        await expectUnchanged(id, second)
      })
    })

    describe('validation', () => {
      const ID = 'dtmi:contoso:invalid;1'
      const { '@type': _type, ...withoutType } = template(ID)
      const { capabilityModel: _model, ...withoutModel } = template(ID)
      const bodyCases: [string, unknown, RegExp][] = [
        ['a missing @type', withoutType, /^@type: is required\.$/],
        ['an empty @type', { ...withoutType, '@type': [] }, /^@type/],
        ['a missing capabilityModel', withoutModel, /^capabilityModel: is required\.$/],
        [
          'a string capabilityModel',
          { ...withoutModel, capabilityModel: 'interface' },
          /^capabilityModel/,
        ],
        ['an array capabilityModel', { ...withoutModel, capabilityModel: [] }, /^capabilityModel/],
        ['a null capabilityModel', { ...withoutModel, capabilityModel: null }, /^capabilityModel/],
        [
          'a body @id different from the path id',
          template(ID, { '@id': 'dtmi:contoso:other;1' }),
          /^@id: /,
        ],
      ]

      for (const [what, body, message] of bodyCases) {
        it(`refuses ${what} with 422, creating nothing`, async () => {
          expectError(await put(ID, body), 422, 'UnprocessableEntity', message)
          await expectAbsent(ID)
          await expectAbsent('dtmi:contoso:other;1')
        })
      }

      it('refuses an invalid body when replacing, changing nothing', async () => {
        const id = 'dtmi:contoso:existing;1'
        const existing = await create(id)
        const { capabilityModel: _cm, ...noModel } = template(id)
        expectError(await put(id, noModel), 422, 'UnprocessableEntity', /^capabilityModel/)
        expectError(
          await put(id, template(id, { '@id': 'dtmi:contoso:other;1' })),
          422,
          'UnprocessableEntity',
          /^@id: /,
        )
        await expectUnchanged(id, existing)
      })

      for (const id of [
        'thermostat',
        'dtmi:contoso:thermostat',
        'dtmi:contoso:thermostat;0',
        'dtmi:contoso:-thermostat;1',
        'urn:contoso:thermostat;1',
        'urn:contoso',
        'urn::thermostat',
      ]) {
        it(`refuses the path id ${id} (not a DTMI) with 422, creating nothing`, async () => {
          const response = await put(id, template(id))
          expectError(response, 422, 'UnprocessableEntity', /^deviceTemplateId: /)
          await expectAbsent(id)
        })
      }

      it('accepts the urn model ids of DTDL v1 templates, as older IoT Central applications hold', async () => {
        for (const id of ['urn:1dgygpt7t:modelDefinition:02uwtefvdy', 'urn:contoso:thermostat:1']) {
          const response = await put(id, template(id))
          assert.equal(response.status, 200, response.text)
          assert.equal(response.body['@id'], id)
          assert.equal((await server.request('GET', path(id))).status, 200)
        }
      })

      it('answers 400 BadRequest to unparsable JSON, creating nothing', async () => {
        const response = await server.request('PUT', path(ID), { rawBody: '{"@type": [' })
        expectError(response, 400, 'BadRequest')
        await expectAbsent(ID)
      })
    })

    describe('etags', () => {
      it('refuses a replacement with a stale etag in the body with 412, changing nothing', async () => {
        const id = 'dtmi:contoso:staleBody;1'
        const stale = await create(id)
        const current = await create(id, template(id, { displayName: 'Second' }))
        const response = await put(id, template(id, { displayName: 'Third', etag: stale.etag }))
        expectError(response, 412, 'PreconditionFailed')
        await expectUnchanged(id, current)
      })

      it('refuses a replacement with a stale If-Match, quoted or not, with 412', async () => {
        const id = 'dtmi:contoso:staleHeader;1'
        const stale = await create(id)
        const current = await create(id, template(id, { displayName: 'Second' }))
        for (const ifMatch of [stale.etag, `"${stale.etag}"`]) {
          const response = await put(id, template(id, { displayName: 'Third' }), {
            'if-match': ifMatch,
          })
          expectError(response, 412, 'PreconditionFailed')
        }
        await expectUnchanged(id, current)
      })

      it('replaces when the etag (body or If-Match) is current', async () => {
        const id = 'dtmi:contoso:currentEtag;1'
        const first = await create(id)
        const second = await put(id, template(id, { displayName: 'Second', etag: first.etag }))
        assert.equal(second.status, 200, second.text)
        assert.equal(second.body.displayName, 'Second')
        assert.notEqual(second.body.etag, first.etag)
        const third = await put(id, template(id, { displayName: 'Third' }), {
          'if-match': `"${second.body.etag}"`,
        })
        assert.equal(third.status, 200, third.text)
        assert.equal(third.body.displayName, 'Third')
        await expectUnchanged(id, third.body)
      })
    })

    describe('patch (DeviceTemplates_Update) and compatible changes', () => {
      // IoT Central's example: a component with inline interface, and a cloud property.
      const ID = 'dtmi:contoso:testDeviceTemplate;1'
      const settings = {
        '@id': 'dtmi:contoso:testCapabilityModel:settings;1',
        '@type': 'Component',
        displayName: 'Settings',
        name: 'settings',
        schema: {
          '@id': 'dtmi:contoso:settings;1',
          '@type': 'Interface',
          contents: [
            { '@type': 'Telemetry', displayName: 'Test Component Telemetry', name: 'testComponentTelemetry', schema: 'double' },
            {
              '@type': ['Property', 'Initialized'],
              displayName: 'Temperature Threshold',
              name: 'threshold',
              schema: 'double',
              writable: true,
              initialValue: '100',
            },
          ],
          displayName: 'Settings',
        },
      }
      const status = {
        '@type': ['Property', 'Cloud'],
        displayName: 'Online Status',
        name: 'status',
        schema: {
          '@type': 'Enum',
          enumValues: [
            { displayName: 'Offline', enumValue: 1, name: 'offline' },
            { displayName: 'Online', enumValue: 2, name: 'online' },
          ],
          valueSchema: 'integer',
        },
      }
      const model = (...contents: unknown[]) => ({
        '@id': 'dtmi:contoso:testCapabilityModel;1',
        '@type': 'Interface',
        contents,
        displayName: 'Test Capability Model',
      })
      const patch = (id: string, body: unknown, options: { auth?: string; headers?: Record<string, string> } = {}) =>
        server.request('PATCH', path(id), { body, contentType: 'application/merge-patch+json', ...options })

      before(async () => {
        await create(ID, { '@type': ['ModelDefinition', 'DeviceModel'], displayName: 'Test Definition', capabilityModel: model(settings) })
        const device = await server.request('PUT', '/api/devices/patched-user', { body: { template: ID } })
        assert.equal(device.status, 200, device.text)
      })

      it('answers 401 without a credential, 403 without deviceTemplates.manage, 404 for an unknown id, changing nothing', async () => {
        const existing = (await get(ID)).body
        expectError(await patch(ID, { displayName: 'x' }, { auth: null as unknown as string }), 401, 'Unauthenticated')
        expectError(await patch(ID, { displayName: 'x' }, { auth: operator }), 403, 'Forbidden', /deviceTemplates\.manage/)
        expectError(await patch('dtmi:contoso:nothing;1', { displayName: 'x' }), 404, 'NotFound')
        expectError(await patch('not-a-dtmi', { displayName: 'x' }), 404, 'NotFound')
        await expectUnchanged(ID, existing)
        await expectAbsent('dtmi:contoso:nothing;1')
      })

      it("applies IoT Central's example on a template in use: names change and a cloud property is added", async () => {
        const before = (await get(ID)).body
        const response = await patch(ID, {
          displayName: 'Test Definition Update',
          '@type': ['ModelDefinition', 'DeviceModel'],
          capabilityModel: model(settings, status),
        })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, {
          '@id': ID,
          '@type': ['ModelDefinition', 'DeviceModel'],
          displayName: 'Test Definition Update',
          capabilityModel: model(settings, status),
          etag: response.body.etag,
        })
        assert.notEqual(response.body.etag, before.etag)
        assert.deepEqual((await get(ID)).body, response.body)
      })

      it('merges: null removes a member, other members (display overrides) are kept as sent', async () => {
        const first = await patch(ID, { description: 'Thermostats', overrides: { status: { displayName: 'Up?' }, threshold: { unit: 'C' } } })
        assert.equal(first.status, 200, first.text)
        const second = await patch(ID, { description: null, overrides: { threshold: null } })
        assert.equal(second.status, 200, second.text)
        assert.equal(second.body.description, undefined)
        assert.deepEqual(second.body.overrides, { status: { displayName: 'Up?' } })
        assert.equal(second.body.displayName, 'Test Definition Update')
      })

      it('accepts the current etag in the body, quoted as IoT Central shows it, or in If-Match; refuses a stale one with 412', async () => {
        const current = (await get(ID)).body
        const quoted = await patch(ID, { etag: `"${current.etag}"`, displayName: 'Quoted' })
        assert.equal(quoted.status, 200, quoted.text)
        const header = await patch(ID, { displayName: 'Header' }, { headers: { 'if-match': `"${quoted.body.etag}"` } })
        assert.equal(header.status, 200, header.text)
        const now = (await get(ID)).body
        expectError(await patch(ID, { etag: current.etag, displayName: 'Stale' }), 412, 'PreconditionFailed')
        expectError(await patch(ID, { displayName: 'Stale' }, { headers: { 'if-match': current.etag } }), 412, 'PreconditionFailed')
        await expectUnchanged(ID, now)
      })

      it('refuses an incompatible change to a template in use with 409 naming what breaks, on PATCH and PUT', async () => {
        const existing = (await get(ID)).body
        const changedSettings = structuredClone(settings) as any
        changedSettings.schema.contents[1].schema = 'string'
        expectError(
          await patch(ID, { capabilityModel: model(settings) }),
          409,
          'Conflict',
          /^The device template 'dtmi:contoso:testDeviceTemplate;1' is used by 1 device, and this change would break them: the cloud property 'status' was removed\./,
        )
        expectError(
          await patch(ID, { capabilityModel: model(changedSettings, status) }),
          409,
          'Conflict',
          /the property 'settings\/threshold' changed its schema/,
        )
        expectError(
          await put(ID, { '@type': 'ModelDefinition', capabilityModel: model(status) }),
          409,
          'Conflict',
          /the component 'settings' was removed/,
        )
        await expectUnchanged(ID, existing)
        // Compatible: renamed for display, and a telemetry added.
        const renamed = structuredClone(status) as any
        renamed.displayName = 'Connectivity'
        const compatible = await put(ID, {
          ...existing,
          etag: undefined,
          capabilityModel: model(settings, renamed, { '@type': 'Telemetry', name: 'added', schema: 'double' }),
        })
        assert.equal(compatible.status, 200, compatible.text)
      })

      it('allows any change to a template no device uses', async () => {
        const free = 'dtmi:contoso:freeToChange;1'
        await create(free, { '@type': 'ModelDefinition', capabilityModel: model(settings, status) })
        const response = await patch(free, { capabilityModel: model() })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body.capabilityModel.contents, [])
      })

      it('refuses bad input with 422 or 400, changing nothing', async () => {
        const existing = (await get(ID)).body
        const cases: [unknown, RegExp][] = [
          [{ '@type': null }, /^@type: is required/],
          [{ capabilityModel: null }, /^capabilityModel: is required/],
          [{ capabilityModel: [] }, /^capabilityModel: /],
          [{ displayName: 5 }, /^displayName: /],
          [{ description: { en: 5 } }, /^description/],
          [{ '@id': 'dtmi:contoso:other;1' }, /^@id: is read-only/],
          [{ '@type': [] }, /^@type: /],
        ]
        for (const [body, message] of cases) {
          expectError(await patch(ID, body), 422, 'UnprocessableEntity', message)
        }
        expectError(
          await server.request('PATCH', path(ID), { rawBody: '{"displayName":', contentType: 'application/merge-patch+json' }),
          400,
          'BadRequest',
        )
        await expectUnchanged(ID, existing)
      })
    })

    describe('delete', () => {
      it('refuses to delete a template that devices use with 409, naming how many', async () => {
        const id = 'dtmi:contoso:inUse;1'
        const existing = await create(id)
        for (const device of ['uses-1', 'uses-2']) {
          const response = await server.request('PUT', `/api/devices/${device}`, {
            body: { template: id },
          })
          assert.equal(response.status, 200, response.text)
        }
        expectError(await server.request('DELETE', path(id)), 409, 'Conflict', /\b2 devices\b/)
        await expectUnchanged(id, existing)

        assert.equal((await server.request('DELETE', '/api/devices/uses-2')).status, 204)
        expectError(await server.request('DELETE', path(id)), 409, 'Conflict', /\b1 device\b/)
        await expectUnchanged(id, existing)

        assert.equal((await server.request('DELETE', '/api/devices/uses-1')).status, 204)
        const deleted = await server.request('DELETE', path(id))
        assert.equal(deleted.status, 204, deleted.text)
        assert.equal(deleted.text, '')
        await expectAbsent(id)
        expectError(await server.request('DELETE', path(id)), 404, 'NotFound')
      })

      it('counts only the devices that use this template', async () => {
        const used = 'dtmi:contoso:usedElsewhere;1'
        const unused = 'dtmi:contoso:unusedHere;1'
        await create(used)
        await create(unused)
        const device = await server.request('PUT', '/api/devices/uses-other', {
          body: { template: used },
        })
        assert.equal(device.status, 200, device.text)
        const deleted = await server.request('DELETE', path(unused))
        assert.equal(deleted.status, 204, deleted.text)
        await expectAbsent(unused)
        expectError(await server.request('DELETE', path(used)), 409, 'Conflict', /\b1 device\b/)
      })
    })
  })
}
