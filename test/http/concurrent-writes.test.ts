import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { must } from '../helpers/organizations.js'
import { expectError, startServer, type ApiResponse, type TestServer } from '../helpers/server.js'
import { seedDevices, seedGroup, seedTemplates, THERMOSTAT } from '../jobs/fixtures.js'

/** Writers racing at one resource: enough to overlap on a pool of ten connections. */
const WRITERS = 30
const MERGE_PATCH = 'application/merge-patch+json'

/** A template declaring a relationship to any device: the source of the raced relationships. */
const GATEWAY = 'dtmi:race:gateway;1'
const DOWNSTREAM = { '@type': 'Relationship', name: 'downstream' }
const GATEWAY_MODEL = { '@id': 'dtmi:race:gatewayModel;1', '@type': 'Interface', contents: [DOWNSTREAM] }
const GATEWAY_TEMPLATE = { '@type': ['ModelDefinition', 'DeviceModel'], capabilityModel: GATEWAY_MODEL }

/** A resource written by PUT (and PATCH, when it has a patch body) at `path(id)`. */
interface Resource {
  name: string
  path(id: string): string
  /** The PUT body of writer `n` at `id`: each writer sends its own values. */
  body(n: number, id: string): unknown
  patch?(n: number, id: string): unknown
  /** The ids of the stored resources of this kind, to count them. */
  ids?(server: TestServer): Promise<string[]>
}

/** The ids the writers race at: one created by the race, one replaced, one patched. */
const RACED = { created: 'raced-new', replaced: 'raced-existing', patched: 'raced-patched' }
const sensorFor = (id: string) => `${id}-sensor`
const ACCOUNT_KEY = Buffer.alloc(64, 7).toString('base64')

const inADay = () => new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z')

const RESOURCES: Resource[] = [
  {
    name: 'device',
    path: (id) => `/api/devices/${id}`,
    body: (n) => ({ displayName: `Writer ${n}`, template: GATEWAY }),
    patch: (n) => ({ displayName: `Patcher ${n}` }),
    ids: async (server) => listIds(server, '/api/devices'),
  },
  {
    name: 'device group',
    path: (id) => `/api/deviceGroups/${id}`,
    body: (n) => ({ displayName: `Writer ${n}`, filter: `SELECT * FROM devices WHERE $template = "${GATEWAY}"` }),
    patch: (n) => ({ displayName: `Patcher ${n}` }),
    ids: async (server) => listIds(server, '/api/deviceGroups'),
  },
  {
    name: 'enrollment group',
    path: (id) => `/api/enrollmentGroups/${id}`,
    body: (n) => ({ displayName: `Writer ${n}`, type: 'iot', attestation: { type: 'symmetricKey' } }),
    patch: (n) => ({ displayName: `Patcher ${n}` }),
    ids: async (server) => listIds(server, '/api/enrollmentGroups'),
  },
  {
    name: 'scheduled job',
    path: (id) => `/api/scheduledJobs/${id}`,
    body: (n) => ({
      displayName: `Writer ${n}`,
      group: 'race-group',
      data: [{ type: 'command', target: THERMOSTAT, path: 'reboot', value: null }],
      schedule: { start: inADay(), recurrence: 'daily' },
    }),
    patch: (n) => ({ displayName: `Patcher ${n}` }),
    ids: async (server) => listIds(server, '/api/scheduledJobs'),
  },
  {
    name: 'device relationship',
    path: (id) => `/api/devices/race-gateway/relationships/${id}`,
    // A pair of devices is related once: each relationship id relates the gateway to a sensor of its own.
    body: (_, id) => ({ source: 'race-gateway', target: sensorFor(id) }),
    patch: (_, id) => ({ target: sensorFor(id) }),
    ids: async (server) => listIds(server, '/api/devices/race-gateway/relationships'),
  },
  {
    name: 'file upload configuration',
    path: () => '/api/fileUploads',
    body: (n) => ({
      connectionString: `DefaultEndpointsProtocol=https;AccountName=race;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`,
      container: `container-${n}`,
    }),
    patch: (n) => ({ container: `patched-${n}` }),
  },
]

/** Every id of a list, following nextLink. */
async function listIds(server: TestServer, path: string): Promise<string[]> {
  const ids: string[] = []
  let response: ApiResponse = await server.request('GET', path)
  for (;;) {
    assert.equal(response.status, 200, response.text)
    ids.push(...response.body.value.map((item: { id: string }) => item.id))
    if (!response.body.nextLink) return ids
    response = await server.request('GET', response.body.nextLink)
  }
}

/** Fires the requests at once and answers their responses. */
const race = (count: number, request: (n: number) => Promise<ApiResponse>) =>
  Promise.all(Array.from({ length: count }, (_, n) => request(n)))

/** Asserts that every response succeeded, listing the refusals when some did not. */
function expectAllSucceeded(responses: ApiResponse[], statuses: number[]): void {
  const refused = responses.filter((r) => !statuses.includes(r.status)).map((r) => `${r.status} ${r.text}`)
  assert.deepEqual(refused, [], `${refused.length} of ${responses.length} writes were refused`)
}

for (const dialect of DIALECTS) {
  describe(`concurrent writes without an etag (${dialect})`, () => {
    let server: TestServer

    before(async () => {
      server = await startServer(dialect)
      await server.app.services.jobs.runner.stop()
      await must(server, 'PUT', `/api/deviceTemplates/${GATEWAY}`, GATEWAY_TEMPLATE)
      await must(server, 'PUT', '/api/devices/race-gateway', { template: GATEWAY })
      for (const id of Object.values(RACED)) await must(server, 'PUT', `/api/devices/${sensorFor(id)}`, {})
      await seedTemplates(server.app)
      await seedDevices(server.app, 'race-thermostat', 1)
      await seedGroup(server.app, 'race-group', 'race-thermostat')
    })
    after(async () => server?.close())

    for (const resource of RESOURCES) {
      const put = (id: string, n: number) => server.request('PUT', resource.path(id), { body: resource.body(n, id) })

      it(`creates a new ${resource.name} once when many writers PUT it at once, answering every writer`, async () => {
        const before = resource.ids ? await resource.ids(server) : []
        const responses = await race(WRITERS, (n) => put(RACED.created, n))
        expectAllSucceeded(responses, [200, 201])
        const stored = await server.request('GET', resource.path(RACED.created))
        assert.equal(stored.status, 200, stored.text)
        // The last writer wins: what is stored is what one of the writers sent.
        assert.ok(responses.some((r) => r.body.etag === stored.body.etag), 'the stored etag is one a writer was answered')
        if (resource.ids) {
          const after = await resource.ids(server)
          assert.deepEqual(after.filter((id) => !before.includes(id)), [RACED.created])
        }
      })

      it(`replaces an existing ${resource.name} that many writers PUT at once, answering every writer 200`, async () => {
        assert.ok([200, 201].includes((await put(RACED.replaced, 0)).status))
        const responses = await race(WRITERS, (n) => put(RACED.replaced, n))
        expectAllSucceeded(responses, [200])
        // Each write made a version of its own, none was dropped (resources without an etag aside).
        const etags = new Set(responses.map((r) => r.body.etag))
        if (!etags.has(undefined)) assert.equal(etags.size, WRITERS)
      })

      if (resource.patch) {
        const patch = resource.patch
        it(`patches an existing ${resource.name} from many writers at once, answering every writer 200`, async () => {
          assert.ok([200, 201].includes((await put(RACED.patched, 0)).status))
          const responses = await race(WRITERS, (n) =>
            server.request('PATCH', resource.path(RACED.patched), { body: patch(n, RACED.patched), contentType: MERGE_PATCH }),
          )
          expectAllSucceeded(responses, [200])
        })
      }
    }

    it('still refuses a write whose If-Match names an etag the device no longer has (412), changing nothing', async () => {
      const first = await must(server, 'PUT', '/api/devices/raced-stale', { displayName: 'First' })
      const second = await must(server, 'PUT', '/api/devices/raced-stale', { displayName: 'Second' })
      const responses = await race(WRITERS, (n) =>
        server.request('PUT', '/api/devices/raced-stale', {
          body: { displayName: `Stale ${n}` },
          headers: { 'if-match': `"${first.etag}"` },
        }),
      )
      for (const response of responses) expectError(response, 412, 'PreconditionFailed')
      const stored = await server.request('GET', '/api/devices/raced-stale')
      assert.equal(stored.body.etag, second.etag)
      assert.equal(stored.body.displayName, 'Second')
    })

    it('still refuses a device group write whose body etag is stale (412)', async () => {
      const filter = 'SELECT * FROM devices'
      const first = await must(server, 'PUT', '/api/deviceGroups/raced-stale', { displayName: 'First', filter })
      await must(server, 'PUT', '/api/deviceGroups/raced-stale', { displayName: 'Second', filter })
      const responses = await race(WRITERS, (n) =>
        server.request('PUT', '/api/deviceGroups/raced-stale', {
          body: { displayName: `Stale ${n}`, filter, etag: first.etag },
        }),
      )
      for (const response of responses) expectError(response, 412, 'PreconditionFailed')
      assert.equal((await server.request('GET', '/api/deviceGroups/raced-stale')).body.displayName, 'Second')
    })

    it('lets exactly one of many writers that send the etag they read win; the others get 412', async () => {
      const read = await must(server, 'PUT', '/api/devices/raced-conditional', { displayName: 'Read' })
      const responses = await race(WRITERS, (n) =>
        server.request('PUT', '/api/devices/raced-conditional', {
          body: { displayName: `Conditional ${n}` },
          headers: { 'if-match': read.etag },
        }),
      )
      const statuses = responses.map((r) => r.status).sort()
      assert.deepEqual(statuses, [200, ...Array<number>(WRITERS - 1).fill(412)])
    })
  })
}
