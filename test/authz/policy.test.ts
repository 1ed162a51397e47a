import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  APPLICATION_WIDE_AREAS,
  BUILTIN_ROLES,
  ORGANIZATION_ROLES,
  ROLE_IDS,
  rolePermissions,
} from '../../src/authz/builtin-roles.js'
import type { Permission } from '../../src/authz/permissions.js'
import {
  accessOf,
  missingPermissions,
  type RoleAssignment,
  type RoleGrant,
} from '../../src/authz/policy.js'

const grant = (type: RoleGrant['type'], ...permissions: Permission[]): RoleGrant => ({
  type,
  permissions: new Set(permissions),
})

const ROLES = new Map<string, RoleGrant>([
  ['app-reader', grant('application', 'devices.read')],
  ['app-tokens', grant('application', 'apiTokens.read')],
  ['org-writer', grant('organization', 'devices.read', 'devices.update')],
  ['org-users', grant('organization', 'users.read')],
])

const sorted = (set: ReadonlySet<string>) => [...set].sort()

describe('accessOf', () => {
  const cases: {
    what: string
    assignments: RoleAssignment[]
    application: string[]
    organizations: Record<string, string[]>
    permissions: string[]
  }[] = [
    {
      what: 'nothing',
      assignments: [],
      application: [],
      organizations: {},
      permissions: [],
    },
    {
      what: 'an application role',
      assignments: [{ role: 'app-reader' }],
      application: ['devices.read'],
      organizations: {},
      permissions: ['devices.read'],
    },
    {
      what: 'an organization role in one organization',
      assignments: [{ role: 'org-writer', organization: 'wa' }],
      application: [],
      organizations: { wa: ['devices.read', 'devices.update'] },
      permissions: ['devices.read', 'devices.update'],
    },
    {
      what: 'two organization roles in one organization',
      assignments: [
        { role: 'org-writer', organization: 'wa' },
        { role: 'org-users', organization: 'wa' },
      ],
      application: [],
      organizations: { wa: ['devices.read', 'devices.update', 'users.read'] },
      permissions: ['devices.read', 'devices.update', 'users.read'],
    },
    {
      what: 'an application role and an organization role',
      assignments: [{ role: 'app-tokens' }, { role: 'org-users', organization: 'ca' }],
      application: ['apiTokens.read'],
      organizations: { ca: ['users.read'] },
      permissions: ['apiTokens.read', 'users.read'],
    },
    {
      what: 'an unknown role (grants nothing)',
      assignments: [{ role: 'gone' }, { role: 'gone', organization: 'wa' }],
      application: [],
      organizations: {},
      permissions: [],
    },
    {
      what: 'an application role given an organization (grants nothing)',
      assignments: [{ role: 'app-reader', organization: 'wa' }],
      application: [],
      organizations: {},
      permissions: [],
    },
    {
      what: 'an organization role without organization (grants nothing)',
      assignments: [{ role: 'org-writer' }],
      application: [],
      organizations: {},
      permissions: [],
    },
  ]
  for (const c of cases) {
    it(c.what, () => {
      const access = accessOf(c.assignments, ROLES)
      assert.deepEqual(sorted(access.application), c.application)
      assert.deepEqual(
        Object.fromEntries([...access.organizations].map(([id, held]) => [id, sorted(held)])),
        c.organizations,
      )
      assert.deepEqual(sorted(access.permissions), c.permissions)
    })
  }
})

describe('rolePermissions', () => {
  it('closes an application role under its dependencies', () => {
    assert.deepEqual(sorted(rolePermissions('application', ['users.read'])), [
      'roles.read',
      'users.read',
    ])
  })

  it('drops the application-wide areas a dependency brings into an organization role', () => {
    assert.deepEqual(sorted(rolePermissions('organization', ['users.read'])), ['users.read'])
  })

  it('closes devices.executeCommands to update and the reads it needs', () => {
    assert.deepEqual(sorted(rolePermissions('organization', ['devices.executeCommands'])), [
      'deviceGroups.read',
      'deviceTemplates.read',
      'devices.executeCommands',
      'devices.read',
      'devices.update',
    ])
  })

  for (const role of ORGANIZATION_ROLES) {
    it(`${role.displayName} reaches no application-wide area`, () => {
      const reached = [...role.permissions].filter((p) =>
        APPLICATION_WIDE_AREAS.includes(p.split('.')[0] as never),
      )
      assert.deepEqual(reached, [])
    })
  }

  it('keeps IoT Central ids for all six built-in roles', () => {
    assert.deepEqual(
      BUILTIN_ROLES.map((r) => r.id),
      Object.values(ROLE_IDS),
    )
  })
})

describe('missingPermissions', () => {
  const cases: [string[], string[], string[]][] = [
    [[], [], []],
    [['devices.read'], ['devices.read'], []],
    [['devices.read'], ['devices.read', 'devices.update'], ['devices.update']],
    [['devices.read', 'devices.update'], ['devices.read'], []],
  ]
  for (const [held, wanted, missing] of cases) {
    it(`holding [${held}] and granting [${wanted}] misses [${missing}]`, () => {
      assert.deepEqual(
        missingPermissions(new Set(held as Permission[]), new Set(wanted as Permission[])),
        missing,
      )
    })
  }
})
