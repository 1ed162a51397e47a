import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  APPLICATION_ROLES,
  APPLICATION_WIDE_AREAS,
  ORGANIZATION_ROLES,
  ROLE_IDS,
  type RoleDefinition,
} from '../../src/authz/builtin-roles.js'
import {
  ALL_PERMISSIONS,
  CATALOGUE,
  isPermission,
  withDependencies,
  type Permission,
} from '../../src/authz/permissions.js'
import { accessOf, missingPermissions, type RoleGrant } from '../../src/authz/policy.js'

const sorted = (permissions: Iterable<string>): string[] => [...permissions].sort()
const area = (permission: string): string => permission.split('.')[0]!

const roleById = (id: string): RoleDefinition => {
  const role = [...APPLICATION_ROLES, ...ORGANIZATION_ROLES].find((r) => r.id === id)
  assert.ok(role, `role ${id}`)
  return role
}
const administrator = roleById(ROLE_IDS.administrator)
const builder = roleById(ROLE_IDS.builder)
const operator = roleById(ROLE_IDS.operator)

/** What application assignments grant, wherever: the union of their roles' permissions. */
const permissionsOf = (
  assignments: Parameters<typeof accessOf>[0],
  roles: ReadonlyMap<string, RoleGrant>,
) => accessOf(assignments, roles).permissions

const ROLES: ReadonlyMap<string, RoleGrant> = new Map(
  [...APPLICATION_ROLES, ...ORGANIZATION_ROLES].map((r) => [r.id, r]),
)

describe('the permission catalogue', () => {
  it('lists every permission once, as <area>.<action>', () => {
    assert.equal(new Set(ALL_PERMISSIONS).size, ALL_PERMISSIONS.length)
    const expected = Object.entries(CATALOGUE).reduce((n, [, actions]) => n + actions.length, 0)
    assert.equal(ALL_PERMISSIONS.length, expected)
    for (const permission of ALL_PERMISSIONS) {
      assert.match(permission, /^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/)
      assert.ok(isPermission(permission))
    }
  })

  it('knows the permissions the routes need', () => {
    for (const p of [
      'devices.read',
      'devices.create',
      'deviceTemplates.manage',
      'apiTokens.create',
      'users.delete',
      'roles.read',
    ]) {
      assert.ok(isPermission(p), p)
    }
  })

  it('rejects names outside the catalogue', () => {
    for (const p of [
      'devices',
      'devices.write',
      'Devices.read',
      'devices.read ',
      '',
      'apiTokens.update',
      '*',
    ]) {
      assert.equal(isPermission(p), false, JSON.stringify(p))
    }
  })
})

describe('withDependencies', () => {
  it('adds the area read to every non-read action of an area that has one', () => {
    let checked = 0
    for (const permission of ALL_PERMISSIONS) {
      const [name, action] = permission.split('.') as [string, string]
      const read = `${name}.read`
      if (action === 'read' || !isPermission(read)) continue
      assert.ok(withDependencies([permission]).has(read), `${permission} ⇒ ${read}`)
      checked++
    }
    assert.ok(checked > 40, `checked ${checked}`)
  })

  it('never invents a permission outside the catalogue', () => {
    for (const permission of ALL_PERMISSIONS) {
      for (const implied of withDependencies([permission])) {
        assert.ok(isPermission(implied), `${permission} ⇒ ${implied}`)
      }
    }
    // Areas without a plain read (billing, device connectivity) gain no made-up one.
    assert.deepEqual(sorted(withDependencies(['billing.manage'])), ['billing.manage'])
    assert.deepEqual(sorted(withDependencies(['deviceConnectivity.manageInstance'])), [
      'deviceConnectivity.manageInstance',
    ])
  })

  it('keeps the permissions it was given', () => {
    for (const permission of ALL_PERMISSIONS)
      assert.ok(withDependencies([permission]).has(permission))
  })

  it('adds nothing to a read without dependencies', () => {
    assert.deepEqual(sorted(withDependencies(['roles.read'])), ['roles.read'])
    assert.deepEqual(sorted(withDependencies(['deviceTemplates.read'])), ['deviceTemplates.read'])
    assert.deepEqual(sorted(withDependencies([])), [])
  })

  it('makes devices.read pull deviceTemplates.read and deviceGroups.read', () => {
    assert.deepEqual(sorted(withDependencies(['devices.read'])), [
      'deviceGroups.read',
      'deviceTemplates.read',
      'devices.read',
    ])
  })

  it('makes jobs.execute pull devices.executeCommands and devices.update, and what they need', () => {
    assert.deepEqual(sorted(withDependencies(['jobs.execute'])), [
      'deviceGroups.read',
      'deviceTemplates.read',
      'devices.executeCommands',
      'devices.read',
      'devices.update',
      'jobs.execute',
      'jobs.read',
      'jobs.update',
    ])
  })

  it('makes users.read and apiTokens.read pull roles.read', () => {
    assert.deepEqual(sorted(withDependencies(['users.read'])), ['roles.read', 'users.read'])
    assert.deepEqual(sorted(withDependencies(['apiTokens.create'])), [
      'apiTokens.create',
      'apiTokens.read',
      'roles.read',
    ])
  })

  it('is a closure: applying it twice changes nothing', () => {
    for (const permission of ALL_PERMISSIONS) {
      const once = withDependencies([permission])
      assert.deepEqual(sorted(withDependencies(once)), sorted(once), permission)
    }
  })

  it('does not change the iterable it was given', () => {
    const given: Permission[] = ['devices.delete']
    withDependencies(given)
    assert.deepEqual(given, ['devices.delete'])
  })
})

describe('the built-in roles', () => {
  it('keep IoT Central ids and names', () => {
    assert.deepEqual(
      APPLICATION_ROLES.map((r) => [r.id, r.displayName, r.type]),
      [
        ['ca310b8d-2f4a-44e0-a36e-957c202cd8d4', 'Administrator', 'application'],
        ['344138e9-8de4-4497-8c54-5237e96d6aaf', 'Builder', 'application'],
        ['ae2c9854-393b-4f97-8c42-479d70ce626e', 'Operator', 'application'],
      ],
    )
    assert.deepEqual(
      ORGANIZATION_ROLES.map((r) => [r.displayName, r.type]),
      [
        ['Org Admin', 'organization'],
        ['Org Operator', 'organization'],
        ['Org Viewer', 'organization'],
      ],
    )
    const ids = [...APPLICATION_ROLES, ...ORGANIZATION_ROLES].map((r) => r.id)
    assert.equal(new Set(ids).size, ids.length)
  })

  it('hold only catalogue permissions, closed under their dependencies within their reach', () => {
    for (const role of [...APPLICATION_ROLES, ...ORGANIZATION_ROLES]) {
      for (const permission of role.permissions) {
        assert.ok(isPermission(permission), `${role.displayName}: ${permission}`)
      }
      const reachable = [...withDependencies(role.permissions)].filter(
        (p) => role.type === 'application' || !APPLICATION_WIDE_AREAS.includes(area(p) as never),
      )
      assert.deepEqual(
        sorted(reachable),
        sorted(role.permissions),
        role.displayName,
      )
    }
  })

  it('give the Administrator every permission', () => {
    assert.deepEqual(sorted(administrator.permissions), sorted(ALL_PERMISSIONS))
  })

  it('give the Builder no users.*, roles.* or apiTokens.*', () => {
    const forbidden = sorted(builder.permissions).filter((p) =>
      ['users', 'roles', 'apiTokens'].includes(area(p)),
    )
    assert.deepEqual(forbidden, [])
    for (const p of [
      'deviceTemplates.manage',
      'devices.delete',
      'jobs.execute',
      'organizations.read',
    ]) {
      assert.ok(builder.permissions.has(p as Permission), `Builder has ${p}`)
    }
  })

  it('give the Operator device management and template reading, not template management', () => {
    for (const p of [
      'devices.read',
      'devices.create',
      'devices.update',
      'devices.delete',
      'deviceTemplates.read',
    ]) {
      assert.ok(operator.permissions.has(p as Permission), `Operator has ${p}`)
    }
    assert.equal(operator.permissions.has('deviceTemplates.manage'), false)
    const forbidden = sorted(operator.permissions).filter((p) =>
      ['users', 'roles', 'apiTokens'].includes(area(p)),
    )
    assert.deepEqual(forbidden, [])
  })

  it('never let an organization role reach an application-wide area', () => {
    for (const role of ORGANIZATION_ROLES) {
      const reached = sorted(role.permissions).filter((p) =>
        APPLICATION_WIDE_AREAS.includes(area(p) as never),
      )
      assert.deepEqual(reached, [], role.displayName)
    }
  })
})

describe('accessOf, everywhere', () => {
  it('gives the permissions of a single role', () => {
    assert.deepEqual(
      sorted(permissionsOf([{ role: ROLE_IDS.operator }], ROLES)),
      sorted(operator.permissions),
    )
  })

  it('unions several roles', () => {
    const union = permissionsOf([{ role: ROLE_IDS.operator }, { role: ROLE_IDS.builder }], ROLES)
    assert.deepEqual(
      sorted(union),
      sorted(new Set([...operator.permissions, ...builder.permissions])),
    )
    // Something each role has that the other lacks.
    assert.ok(
      union.has('deviceTemplates.manage') && !operator.permissions.has('deviceTemplates.manage'),
    )
    const operatorOnly = [...operator.permissions].filter((p) => !builder.permissions.has(p))
    for (const p of operatorOnly) assert.ok(union.has(p), p)
  })

  it('ignores role ids that do not exist', () => {
    assert.deepEqual(sorted(permissionsOf([{ role: 'no-such-role' }], ROLES)), [])
    assert.deepEqual(
      sorted(
        permissionsOf(
          [{ role: 'no-such-role' }, { role: ROLE_IDS.builder }, { role: 'gone' }],
          ROLES,
        ),
      ),
      sorted(builder.permissions),
    )
  })

  it('grants nothing without assignments', () => {
    assert.deepEqual(sorted(permissionsOf([], ROLES)), [])
  })

  it('reads only the roles it is given', () => {
    const only = new Map([[ROLE_IDS.operator, operator]])
    assert.deepEqual(sorted(permissionsOf([{ role: ROLE_IDS.administrator }], only)), [])
  })
})

describe('missingPermissions', () => {
  it('lists exactly what the holder lacks', () => {
    const expected = sorted([...builder.permissions].filter((p) => !operator.permissions.has(p)))
    assert.ok(expected.length > 0)
    assert.deepEqual(
      sorted(missingPermissions(operator.permissions, builder.permissions)),
      expected,
    )
    assert.ok(expected.includes('deviceTemplates.manage'))
  })

  it('lists nothing when every wanted permission is held', () => {
    assert.deepEqual(missingPermissions(administrator.permissions, builder.permissions), [])
    assert.deepEqual(missingPermissions(operator.permissions, operator.permissions), [])
    assert.deepEqual(missingPermissions(new Set(), new Set()), [])
  })

  it('lists everything when nothing is held', () => {
    assert.deepEqual(
      sorted(missingPermissions(new Set(), operator.permissions)),
      sorted(operator.permissions),
    )
  })

  it('lists an Administrator grant as the permissions a Builder lacks', () => {
    const missing = sorted(missingPermissions(builder.permissions, administrator.permissions))
    assert.deepEqual(missing, sorted(ALL_PERMISSIONS.filter((p) => !builder.permissions.has(p))))
    for (const p of ['apiTokens.create', 'roles.update', 'users.create'])
      assert.ok(missing.includes(p), p)
  })
})
