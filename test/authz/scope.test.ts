import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { OrganizationTree } from '../../src/authz/organization-tree.js'
import type { Permission } from '../../src/authz/permissions.js'
import type { Access, RoleAssignment } from '../../src/authz/policy.js'
import {
  organizationPermissions,
  permissionsAt,
  scopeIncludes,
  scopeIncludesAll,
  scopeOf,
  seesOrganization,
  type Scope,
} from '../../src/authz/scope.js'

//   us ─┬─ wa ── seattle
//       └─ ca
//   eu
const TREE: OrganizationTree = new Map([
  ['us', null],
  ['wa', 'us'],
  ['ca', 'us'],
  ['seattle', 'wa'],
  ['eu', null],
])

function access(
  application: Permission[],
  organizations: Record<string, Permission[]> = {},
): Access {
  const perOrganization = new Map(
    Object.entries(organizations).map(([id, held]) => [id, new Set(held)]),
  )
  const permissions = new Set([...application, ...Object.values(organizations).flat()])
  return { permissions, application: new Set(application), organizations: perOrganization }
}

const show = (scope: Scope) =>
  scope.application ? 'application' : [...scope.organizations].sort().join(',') || 'nowhere'

describe('scopeOf', () => {
  const cases: [string, Access, Permission, string][] = [
    ['application-wide holder', access(['devices.read']), 'devices.read', 'application'],
    [
      'application holder of another permission',
      access(['devices.read']),
      'devices.update',
      'nowhere',
    ],
    [
      'holder in a top organization reaches its subtree',
      access([], { us: ['devices.read'] }),
      'devices.read',
      'ca,seattle,us,wa',
    ],
    [
      'holder in a middle organization',
      access([], { wa: ['devices.read'] }),
      'devices.read',
      'seattle,wa',
    ],
    ['holder in a leaf', access([], { ca: ['devices.read'] }), 'devices.read', 'ca'],
    [
      'holder in two branches',
      access([], { ca: ['devices.read'], eu: ['devices.read'] }),
      'devices.read',
      'ca,eu',
    ],
    [
      'permission held in one branch only',
      access([], { ca: ['devices.read'], eu: ['users.read'] }),
      'users.read',
      'eu',
    ],
    [
      'organization no longer in the tree',
      access([], { gone: ['devices.read'] }),
      'devices.read',
      'nowhere',
    ],
    [
      'application-wide wins over organizations',
      access(['devices.read'], { ca: ['devices.read'] }),
      'devices.read',
      'application',
    ],
  ]
  for (const [what, held, permission, expected] of cases) {
    it(`${what}: ${permission} → ${expected}`, () => {
      assert.equal(show(scopeOf(held, permission, TREE)), expected)
    })
  }
})

describe('scopeIncludes', () => {
  const waOnly: Scope = { application: false, organizations: new Set(['wa', 'seattle']) }
  const cases: [string, Scope, string | null, boolean][] = [
    ['application scope, the root', { application: true }, null, true],
    ['application scope, an organization', { application: true }, 'eu', true],
    ['organization scope, the root', waOnly, null, false],
    ['organization scope, inside', waOnly, 'seattle', true],
    ['organization scope, a sibling', waOnly, 'ca', false],
    ['organization scope, the parent', waOnly, 'us', false],
  ]
  for (const [what, scope, organization, expected] of cases) {
    it(`${what} → ${expected}`, () => assert.equal(scopeIncludes(scope, organization), expected))
  }

  const principals: [string, RoleAssignment[], boolean][] = [
    [
      'every assignment inside',
      [
        { role: 'r', organization: 'wa' },
        { role: 's', organization: 'seattle' },
      ],
      true,
    ],
    [
      'one assignment outside',
      [
        { role: 'r', organization: 'wa' },
        { role: 's', organization: 'ca' },
      ],
      false,
    ],
    ['an application assignment (the root)', [{ role: 'r' }], false],
  ]
  for (const [what, assignments, expected] of principals) {
    it(`a principal with ${what} → ${expected}`, () => {
      assert.equal(scopeIncludesAll(waOnly, assignments), expected)
    })
  }
})

describe('permissionsAt', () => {
  const held = access(['devices.read'], { us: ['devices.update'], wa: ['devices.delete'] })
  const cases: [string | null, string[]][] = [
    [null, ['devices.read']],
    ['us', ['devices.read', 'devices.update']],
    ['wa', ['devices.delete', 'devices.read', 'devices.update']],
    ['seattle', ['devices.delete', 'devices.read', 'devices.update']],
    ['ca', ['devices.read', 'devices.update']],
    ['eu', ['devices.read']],
    ['unknown', ['devices.read']],
  ]
  for (const [organization, expected] of cases) {
    it(`at ${organization ?? 'the root'}: ${expected.join(', ')}`, () => {
      assert.deepEqual([...permissionsAt(held, organization, TREE)].sort(), expected)
    })
  }
})

describe('seesOrganization', () => {
  const cases: [string, Access, string, boolean][] = [
    ['application holder, any organization', access(['devices.read']), 'eu', true],
    ['application holder, an unknown one', access(['devices.read']), 'nowhere', false],
    ['organization holder, its descendant', access([], { wa: ['devices.read'] }), 'seattle', true],
    ['organization holder, its parent', access([], { wa: ['devices.read'] }), 'us', false],
    ['organization holder, a sibling', access([], { wa: ['devices.read'] }), 'ca', false],
    ['no permission at all', access([]), 'us', false],
  ]
  for (const [what, held, organization, expected] of cases) {
    it(`${what} → ${expected}`, () =>
      assert.equal(seesOrganization(held, organization, TREE), expected))
  }
})

describe('organizationPermissions', () => {
  it('lists each organization reached with what is held there, inherited grants included', () => {
    const held = access(['apiTokens.read'], { us: ['devices.read'], wa: ['devices.update'] })
    const result = Object.fromEntries(
      [...organizationPermissions(held, TREE)].map(([id, set]) => [id, [...set].sort()]),
    )
    assert.deepEqual(result, {
      ca: ['devices.read'],
      seattle: ['devices.read', 'devices.update'],
      us: ['devices.read'],
      wa: ['devices.read', 'devices.update'],
    })
  })

  it('is empty for an application-only caller', () => {
    assert.equal(organizationPermissions(access(['devices.read']), TREE).size, 0)
  })
})
