import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isApplicationWide, rolePermissions, type RoleType } from '../../src/authz/builtin-roles.js'
import type { Permission } from '../../src/authz/permissions.js'
import type { RoleAssignment } from '../../src/authz/policy.js'
import { DIALECTS } from '../helpers/dialects.js'
import { must, seedHierarchy } from '../helpers/organizations.js'
import {
  expectError,
  ROLE_IDS,
  startServer,
  type ApiResponse,
  type TestServer,
} from '../helpers/server.js'

/*
 * Every route × every built-in role (application roles application-wide, organization roles in
 * 'us') × a target at the root, inside the caller's organizations, or outside them → allowed,
 * 403 or 404 (422 where a create names an organization the caller cannot see); then the same
 * routes for custom roles holding a single permission, application-wide and in 'us'.
 *
 *   root ─┬─ us ─┬─ wa        dev-root, user-root     (no organization)
 *         │      └─ ca        dev-us, dev-wa, user-wa, tok-wa
 *         └─ eu               dev-eu, user-eu
 */

const TEMPLATE_ID = 'dtmi:scoping:thing;1'
const TEMPLATE = {
  '@type': 'ModelDefinition',
  capabilityModel: { '@id': TEMPLATE_ID, '@type': 'Interface', contents: [] },
}
const template = (key: string) => `dtmi:scoping:${key.replace(/-/g, '_')};1`

type Place = 'root' | 'us' | 'wa' | 'eu'

/** Where a built-in caller sits, and its role. */
const BUILTIN_CALLERS: { key: string; roles: RoleAssignment[] }[] = [
  { key: 'admin', roles: [{ role: ROLE_IDS.administrator }] },
  { key: 'builder', roles: [{ role: ROLE_IDS.builder }] },
  { key: 'operator', roles: [{ role: ROLE_IDS.operator }] },
  { key: 'org-admin', roles: [{ role: ROLE_IDS.orgAdmin, organization: 'us' }] },
  { key: 'org-operator', roles: [{ role: ROLE_IDS.orgOperator, organization: 'us' }] },
  { key: 'org-viewer', roles: [{ role: ROLE_IDS.orgViewer, organization: 'us' }] },
]

/**
 * How the oracle for single-permission custom roles reads a case: `route` is what the route-level
 * check wants (any of); `list` needs nothing more; `global` needs `action` application-wide;
 * `existing` needs `read` at the target to see it (else 404) and `action` there (else 403);
 * `create` needs `action` somewhere, an organization the caller can see (else 422) and `action`
 * there (else 403).
 */
type Rule =
  | { kind: 'list' }
  | { kind: 'global'; action: Permission }
  | { kind: 'existing'; read: Permission; action: Permission; place: Place }
  | { kind: 'create'; action: Permission; place: Place }

interface Case {
  name: string
  route: Permission[]
  /** Per built-in caller, in BUILTIN_CALLERS order. */
  expected: [number, number, number, number, number, number]
  /** Rule for single-permission custom roles; absent: built-in callers only. */
  rule?: Rule
  /** Prepares the target for one caller (e.g. something it may delete), as the Administrator. */
  setup?: (server: TestServer, key: string) => Promise<void>
  send: (server: TestServer, key: string, auth: string | null) => ReturnType<TestServer['request']>
}

const req =
  (method: string, path: (key: string) => string, body?: (key: string) => unknown): Case['send'] =>
  (server, key, auth) =>
    server.request(method, path(key), { auth, ...(body ? { body: body(key) } : {}) })

const orgOf = (place: Place) => (place === 'root' ? {} : { organizations: [place] })
const viewerIn = (place: Place) =>
  place === 'root'
    ? [{ role: ROLE_IDS.operator }]
    : [{ role: ROLE_IDS.orgViewer, organization: place }]

const ALL = 200
const CASES: Case[] = [
  // Devices: a device without organization belongs to the root.
  {
    name: 'GET /devices',
    route: ['devices.read'],
    expected: [ALL, ALL, ALL, ALL, ALL, ALL],
    rule: { kind: 'list' },
    send: req('GET', () => '/api/devices'),
  },
  ...(['root', 'wa', 'eu'] as Place[]).flatMap((place): Case[] => [
    {
      name: `GET /devices/dev-${place}`,
      route: ['devices.read'],
      expected: place === 'wa' ? [200, 200, 200, 200, 200, 200] : [200, 200, 200, 404, 404, 404],
      rule: { kind: 'existing', read: 'devices.read', action: 'devices.read', place },
      send: req('GET', () => `/api/devices/dev-${place}`),
    },
    {
      name: `PUT /devices/new (in ${place})`,
      route: ['devices.create', 'devices.update'],
      expected: {
        root: [200, 200, 200, 403, 403, 403],
        wa: [200, 200, 200, 200, 200, 403],
        eu: [200, 200, 200, 422, 422, 403],
      }[place as 'root'] as Case['expected'],
      rule: { kind: 'create', action: 'devices.create', place },
      send: req(
        'PUT',
        (key) => `/api/devices/new-${place}-${key}`,
        () => orgOf(place),
      ),
    },
    {
      name: `PATCH /devices/dev-${place}`,
      route: ['devices.update'],
      expected: place === 'wa' ? [200, 200, 200, 200, 200, 403] : [200, 200, 200, 404, 404, 403],
      rule: { kind: 'existing', read: 'devices.read', action: 'devices.update', place },
      send: req(
        'PATCH',
        () => `/api/devices/dev-${place}`,
        () => ({ enabled: true }),
      ),
    },
    {
      name: `DELETE /devices/tmp (in ${place})`,
      route: ['devices.delete'],
      expected: place === 'wa' ? [204, 204, 204, 204, 403, 403] : [204, 204, 204, 404, 403, 403],
      rule: { kind: 'existing', read: 'devices.read', action: 'devices.delete', place },
      setup: (server, key) => must(server, 'PUT', `/api/devices/tmp-${place}-${key}`, orgOf(place)),
      send: req('DELETE', (key) => `/api/devices/tmp-${place}-${key}`),
    },
  ]),
  // Users: a user lies where its role assignments place it (the root for application roles).
  {
    name: 'GET /users',
    route: ['users.read'],
    expected: [200, 403, 403, 200, 403, 403],
    rule: { kind: 'list' },
    send: req('GET', () => '/api/users'),
  },
  ...(['root', 'wa', 'eu'] as Place[]).flatMap((place): Case[] => [
    {
      name: `GET /users/user-${place}`,
      route: ['users.read'],
      expected: place === 'wa' ? [200, 403, 403, 200, 403, 403] : [200, 403, 403, 404, 403, 403],
      rule: { kind: 'existing', read: 'users.read', action: 'users.read', place },
      send: req('GET', () => `/api/users/user-${place}`),
    },
    {
      name: `PUT /users/new (in ${place})`,
      route: ['users.create'],
      expected: {
        root: [200, 403, 403, 403, 403, 403],
        wa: [200, 403, 403, 200, 403, 403],
        eu: [200, 403, 403, 422, 403, 403],
      }[place as 'root'] as Case['expected'],
      send: req(
        'PUT',
        (key) => `/api/users/new-${place}-${key}`,
        (key) => ({
          type: 'email',
          email: `new-${place}-${key}@example.com`,
          roles: viewerIn(place),
        }),
      ),
    },
    {
      name: `PATCH /users/user-${place}`,
      route: ['users.update'],
      expected: place === 'wa' ? [200, 403, 403, 200, 403, 403] : [200, 403, 403, 404, 403, 403],
      send: req(
        'PATCH',
        () => `/api/users/user-${place}`,
        () => ({ email: `user-${place}@example.com` }),
      ),
    },
    {
      name: `DELETE /users/tmp (in ${place})`,
      route: ['users.delete'],
      expected: place === 'wa' ? [204, 403, 403, 204, 403, 403] : [204, 403, 403, 404, 403, 403],
      setup: (server, key) =>
        must(server, 'PUT', `/api/users/tmp-${place}-${key}`, {
          type: 'email',
          email: `tmp-${place}-${key}@example.com`,
          roles: viewerIn(place),
        }),
      send: req('DELETE', (key) => `/api/users/tmp-${place}-${key}`),
    },
  ]),
  // API tokens, roles: application-wide areas that organization roles never reach.
  {
    name: 'GET /apiTokens',
    route: ['apiTokens.read'],
    expected: [200, 403, 403, 403, 403, 403],
    rule: { kind: 'list' },
    send: req('GET', () => '/api/apiTokens'),
  },
  {
    name: 'GET /apiTokens/tok-wa',
    route: ['apiTokens.read'],
    expected: [200, 403, 403, 403, 403, 403],
    rule: { kind: 'global', action: 'apiTokens.read' },
    send: req('GET', () => '/api/apiTokens/tok-wa'),
  },
  {
    name: 'PUT /apiTokens/new (in wa)',
    route: ['apiTokens.create'],
    expected: [200, 403, 403, 403, 403, 403],
    send: req(
      'PUT',
      (key) => `/api/apiTokens/new-${key}`,
      () => ({ roles: viewerIn('wa') }),
    ),
  },
  {
    name: 'DELETE /apiTokens/tmp (in wa)',
    route: ['apiTokens.delete'],
    expected: [204, 403, 403, 403, 403, 403],
    setup: (server, key) =>
      must(server, 'PUT', `/api/apiTokens/tmp-${key}`, { roles: viewerIn('wa') }),
    send: req('DELETE', (key) => `/api/apiTokens/tmp-${key}`),
  },
  {
    name: 'GET /roles',
    route: ['roles.read'],
    expected: [200, 403, 403, 403, 403, 403],
    rule: { kind: 'list' },
    send: req('GET', () => '/api/roles'),
  },
  {
    name: 'GET /roles/{Org Viewer}',
    route: ['roles.read'],
    expected: [200, 403, 403, 403, 403, 403],
    rule: { kind: 'global', action: 'roles.read' },
    send: req('GET', () => `/api/roles/${ROLE_IDS.orgViewer}`),
  },
  {
    name: 'PUT /roles/new',
    route: ['roles.create', 'roles.update'],
    expected: [200, 403, 403, 403, 403, 403],
    send: req(
      'PUT',
      (key) => `/api/roles/new-${key}`,
      (key) => ({ displayName: `New ${key}`, type: 'application', permissions: ['devices.read'] }),
    ),
  },
  {
    name: 'PATCH /roles/fixture',
    route: ['roles.update'],
    expected: [200, 403, 403, 403, 403, 403],
    send: req(
      'PATCH',
      () => '/api/roles/fixture',
      () => ({ displayName: 'Fixture' }),
    ),
  },
  {
    name: 'DELETE /roles/tmp',
    route: ['roles.delete'],
    expected: [204, 403, 403, 403, 403, 403],
    setup: (server, key) =>
      must(server, 'PUT', `/api/roles/tmp-${key}`, {
        displayName: `Tmp ${key}`,
        type: 'organization',
        permissions: ['devices.read'],
      }),
    send: req('DELETE', (key) => `/api/roles/tmp-${key}`),
  },
  // Organizations: callers reach their own organization and everything below it.
  {
    name: 'GET /organizations',
    route: ['organizations.read'],
    expected: [ALL, ALL, ALL, ALL, ALL, ALL],
    rule: { kind: 'list' },
    send: req('GET', () => '/api/organizations'),
  },
  ...(['us', 'wa', 'eu'] as Place[]).flatMap((place): Case[] => [
    {
      name: `GET /organizations/${place}`,
      route: ['organizations.read'],
      expected: place === 'eu' ? [200, 200, 200, 404, 404, 404] : [200, 200, 200, 200, 200, 200],
      rule: { kind: 'existing', read: 'organizations.read', action: 'organizations.read', place },
      send: req('GET', () => `/api/organizations/${place}`),
    },
    {
      name: `PATCH /organizations/${place}`,
      route: ['organizations.update'],
      expected: place === 'eu' ? [200, 403, 403, 404, 403, 403] : [200, 403, 403, 200, 403, 403],
      rule: { kind: 'existing', read: 'organizations.read', action: 'organizations.update', place },
      send: req(
        'PATCH',
        () => `/api/organizations/${place}`,
        () => ({ displayName: place }),
      ),
    },
  ]),
  ...(['root', 'wa', 'eu'] as Place[]).flatMap((place): Case[] => [
    {
      name: `PUT /organizations/new (under ${place})`,
      route: ['organizations.create', 'organizations.update'],
      expected: {
        root: [200, 403, 403, 403, 403, 403],
        wa: [200, 403, 403, 200, 403, 403],
        eu: [200, 403, 403, 422, 403, 403],
      }[place as 'root'] as Case['expected'],
      rule: { kind: 'create', action: 'organizations.create', place },
      send: req(
        'PUT',
        (key) => `/api/organizations/new-${place}-${key}`,
        () => ({ displayName: 'New', ...(place === 'root' ? {} : { parent: place }) }),
      ),
    },
    {
      name: `DELETE /organizations/tmp (under ${place})`,
      route: ['organizations.delete'],
      expected: place === 'wa' ? [204, 403, 403, 204, 403, 403] : [204, 403, 403, 404, 403, 403],
      rule: { kind: 'existing', read: 'organizations.read', action: 'organizations.delete', place },
      setup: (server, key) =>
        must(server, 'PUT', `/api/organizations/tmp-${place}-${key}`, {
          displayName: 'Tmp',
          ...(place === 'root' ? {} : { parent: place }),
        }),
      send: req('DELETE', (key) => `/api/organizations/tmp-${place}-${key}`),
    },
  ]),
  // Device templates belong to the whole application: read by all, changed application-wide.
  {
    name: 'GET /deviceTemplates',
    route: ['deviceTemplates.read'],
    expected: [ALL, ALL, ALL, ALL, ALL, ALL],
    rule: { kind: 'list' },
    send: req('GET', () => '/api/deviceTemplates'),
  },
  {
    name: 'GET /deviceTemplates/{id}',
    route: ['deviceTemplates.read'],
    expected: [ALL, ALL, ALL, ALL, ALL, ALL],
    rule: { kind: 'list' },
    send: req('GET', () => `/api/deviceTemplates/${TEMPLATE_ID}`),
  },
  {
    name: 'PUT /deviceTemplates/new',
    route: ['deviceTemplates.manage'],
    expected: [200, 200, 403, 403, 403, 403],
    rule: { kind: 'global', action: 'deviceTemplates.manage' },
    send: req(
      'PUT',
      (key) => `/api/deviceTemplates/${template(`new_${key}`)}`,
      () => TEMPLATE,
    ),
  },
  {
    name: 'DELETE /deviceTemplates/tmp',
    route: ['deviceTemplates.manage'],
    expected: [204, 204, 403, 403, 403, 403],
    rule: { kind: 'global', action: 'deviceTemplates.manage' },
    setup: (server, key) =>
      must(server, 'PUT', `/api/deviceTemplates/${template(`tmp_${key}`)}`, TEMPLATE),
    send: req('DELETE', (key) => `/api/deviceTemplates/${template(`tmp_${key}`)}`),
  },
  {
    name: 'GET /me',
    route: [],
    expected: [ALL, ALL, ALL, ALL, ALL, ALL],
    send: req('GET', () => '/api/me'),
  },
]

/** The single permissions custom roles are made of, and whether an organization role may hold it. */
const SINGLE_PERMISSIONS: Permission[] = [
  'devices.read',
  'devices.create',
  'devices.update',
  'devices.delete',
  'users.read',
  'organizations.read',
  'organizations.create',
  'organizations.update',
  'organizations.delete',
  'deviceTemplates.read',
  'deviceTemplates.manage',
  'apiTokens.read',
  'roles.read',
]

/** The organizations a custom organization role in 'us' reaches (new ones land under 'wa'). */
const IN_US: ReadonlySet<Place> = new Set(['us', 'wa'])

/** What a custom role holding `permission` (and its dependencies) should get for a case. */
function oracle(permission: Permission, type: RoleType, c: Case & { rule: Rule }): number {
  const held = rolePermissions(type, [permission])
  const at = (place: Place): ReadonlySet<Permission> =>
    type === 'application' || IN_US.has(place) ? held : new Set()
  const success = c.name.startsWith('DELETE') ? 204 : 200
  if (c.route.length > 0 && !c.route.some((p) => held.has(p))) return 403
  const rule = c.rule
  switch (rule.kind) {
    case 'list':
      return success
    case 'global':
      return type === 'application' && held.has(rule.action) ? success : 403
    case 'existing':
      if (!at(rule.place).has(rule.read)) return 404
      return at(rule.place).has(rule.action) ? success : 403
    case 'create':
      if (!held.has(rule.action)) return 403
      if (rule.place !== 'root' && at(rule.place).size === 0) return 422
      return at(rule.place).has(rule.action) ? success : 403
  }
}

async function seed(server: TestServer): Promise<void> {
  await seedHierarchy(server)
  await must(server, 'PUT', `/api/deviceTemplates/${TEMPLATE_ID}`, TEMPLATE)
  for (const place of ['root', 'us', 'wa', 'eu'] as Place[]) {
    await must(server, 'PUT', `/api/devices/dev-${place}`, {
      template: TEMPLATE_ID,
      ...orgOf(place),
    })
  }
  for (const place of ['root', 'wa', 'eu'] as Place[]) {
    await must(server, 'PUT', `/api/users/user-${place}`, {
      type: 'email',
      email: `user-${place}@example.com`,
      roles: viewerIn(place),
    })
  }
  await must(server, 'PUT', '/api/apiTokens/tok-wa', { roles: viewerIn('wa') })
  await must(server, 'PUT', '/api/roles/fixture', {
    displayName: 'Fixture',
    type: 'application',
    permissions: ['devices.read'],
  })
}

async function check(server: TestServer, c: Case, key: string, auth: string, expected: number) {
  await c.setup?.(server, key)
  const response = await c.send(server, key, auth)
  assert.equal(response.status, expected, `${c.name} as ${key}: ${response.text}`)
}

for (const dialect of DIALECTS) {
  describe(`scoping (${dialect})`, () => {
    let server: TestServer
    const tokens = new Map<string, string>()
    before(async () => {
      server = await startServer(dialect)
      await seed(server)
      for (const caller of BUILTIN_CALLERS) {
        tokens.set(caller.key, await server.createScopedToken(`caller-${caller.key}`, caller.roles))
      }
    })
    after(async () => server?.close())

    describe('what each caller lists (before anything changes)', () => {
      const visible: [string, string, string[]][] = [
        ['admin', '/api/devices', ['dev-eu', 'dev-root', 'dev-us', 'dev-wa']],
        ['operator', '/api/devices', ['dev-eu', 'dev-root', 'dev-us', 'dev-wa']],
        ['org-viewer', '/api/devices', ['dev-us', 'dev-wa']],
        ['org-admin', '/api/users', ['user-wa']],
        ['org-viewer', '/api/organizations', ['ca', 'us', 'wa']],
        ['builder', '/api/organizations', ['ca', 'eu', 'us', 'wa']],
      ]
      for (const [key, path, ids] of visible) {
        it(`${key}: ${path} → ${ids.join(', ')}`, async () => {
          const response = await server.request('GET', path, { auth: tokens.get(key)! })
          assert.equal(response.status, 200, response.text)
          const listed = (response.body.value as { id: string }[])
            .map((item) => item.id)
            .filter((id) => !id.startsWith('caller-'))
          assert.deepEqual(listed.sort(), ids)
        })
      }

      it('pages an organization-scoped list without ever showing what is out of reach', async () => {
        const seen: string[] = []
        let next: string | undefined = '/api/devices?maxpagesize=1'
        while (next) {
          const response: ApiResponse = await server.request('GET', next, {
            auth: tokens.get('org-operator')!,
          })
          assert.equal(response.status, 200, response.text)
          seen.push(...response.body.value.map((d: { id: string }) => d.id))
          next = response.body.nextLink
        }
        assert.deepEqual(seen, ['dev-us', 'dev-wa'])
      })

      it('answers out of reach with the very body of an unknown id', async () => {
        const auth = tokens.get('org-admin')!
        for (const [path, unknown] of [
          ['/api/devices/dev-eu', '/api/devices/no-such'],
          ['/api/users/user-root', '/api/users/no-such'],
          ['/api/organizations/eu', '/api/organizations/no-such'],
        ] as const) {
          const hidden = await server.request('GET', path, { auth })
          const missing = await server.request('GET', unknown, { auth })
          const id = path.split('/').pop()
          expectError(hidden, 404, 'NotFound')
          expectError(missing, 404, 'NotFound')
          assert.equal(
            hidden.body.error.message,
            missing.body.error.message.replace('no-such', id!),
          )
          assert.deepEqual(Object.keys(hidden.body.error), Object.keys(missing.body.error))
        }
      })
    })

    describe('every route without a credential', () => {
      for (const c of CASES) {
        it(`${c.name} → 401`, async () => {
          expectError(await c.send(server, 'anonymous', null), 401, 'Unauthenticated')
        })
      }
    })

    describe('every route × every built-in role', () => {
      for (const c of CASES) {
        it(`${c.name} → ${c.expected.join(' / ')}`, async () => {
          for (const [index, caller] of BUILTIN_CALLERS.entries()) {
            await check(server, c, caller.key, tokens.get(caller.key)!, c.expected[index]!)
          }
        })
      }
    })

    describe('every route × custom roles with a single permission', () => {
      const customs = SINGLE_PERMISSIONS.flatMap((permission) =>
        (['application', 'organization'] as RoleType[])
          .filter((type) => type === 'application' || !isApplicationWide(permission))
          .map((type, index) => ({
            permission,
            type,
            key: `c${SINGLE_PERMISSIONS.indexOf(permission)}-${index}`,
          })),
      )
      const customTokens = new Map<string, string>()
      before(async () => {
        for (const custom of customs) {
          await must(server, 'PUT', `/api/roles/${custom.key}`, {
            displayName: `${custom.permission} (${custom.type})`,
            type: custom.type,
            permissions: [custom.permission],
          })
          const roles =
            custom.type === 'application'
              ? [{ role: custom.key }]
              : [{ role: custom.key, organization: 'us' }]
          customTokens.set(
            custom.key,
            await server.createScopedToken(`caller-${custom.key}`, roles),
          )
        }
      })

      for (const c of CASES) {
        if (!c.rule) continue
        it(`${c.name}`, async () => {
          for (const custom of customs) {
            const expected = oracle(custom.permission, custom.type, c as Case & { rule: Rule })
            await check(server, c, custom.key, customTokens.get(custom.key)!, expected)
          }
        })
      }
    })
  })
}
