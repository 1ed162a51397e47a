import { ALL_PERMISSIONS, withDependencies, type Area, type Permission } from './permissions.js'

export type RoleType = 'application' | 'organization'

export interface RoleDefinition {
  id: string
  displayName: string
  type: RoleType
  permissions: ReadonlySet<Permission>
}

/** IoT Central's well-known role ids. */
export const ROLE_IDS = {
  administrator: 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4',
  builder: '344138e9-8de4-4497-8c54-5237e96d6aaf',
  operator: 'ae2c9854-393b-4f97-8c42-479d70ce626e',
  orgAdmin: 'c495eb57-eb18-489e-9802-62c474e5645c',
  orgOperator: 'b4935647-30e4-4ed3-9074-dcac66c2f8ef',
  orgViewer: '84cc62c1-dabe-49d3-b16e-8b291232b285',
} as const

const inAreas = (...areas: Area[]): Permission[] =>
  ALL_PERMISSIONS.filter((p) => areas.includes(p.split('.')[0] as Area))

/** Application areas that organization roles never reach. */
export const APPLICATION_WIDE_AREAS: readonly Area[] = [
  'apiTokens',
  'roles',
  'applicationSettings',
  'applicationTemplate',
  'billing',
  'branding',
  'helpLinks',
  'dataExport',
  'fileUpload',
  'auditLog',
]

/** True for a permission of an area that only application roles reach. */
export const isApplicationWide = (permission: Permission): boolean =>
  APPLICATION_WIDE_AREAS.includes(permission.split('.')[0] as Area)

/**
 * What a role of `type` listing `permissions` grants: the list closed under its dependencies,
 * less the application-wide areas for an organization role. A dependency may point there
 * (`users.read` implies `roles.read`), but an organization role never reaches those areas.
 */
export function rolePermissions(type: RoleType, permissions: Iterable<Permission>): Set<Permission> {
  const closed = withDependencies(permissions)
  if (type === 'organization') {
    for (const permission of closed) if (isApplicationWide(permission)) closed.delete(permission)
  }
  return closed
}

const role = (
  id: string,
  displayName: string,
  type: RoleType,
  permissions: Iterable<Permission>,
): RoleDefinition => ({ id, displayName, type, permissions: rolePermissions(type, permissions) })

/** The application roles every application starts with. */
export const APPLICATION_ROLES: readonly RoleDefinition[] = [
  role(ROLE_IDS.administrator, 'Administrator', 'application', ALL_PERMISSIONS),
  role(ROLE_IDS.builder, 'Builder', 'application', [
    ...inAreas(
      'deviceTemplates',
      'devices',
      'deviceGroups',
      'deviceConnectivity',
      'edgeManifests',
      'jobs',
      'rules',
      'dashboards',
      'personalDashboards',
      'dataExplorer',
    ),
    'organizations.read',
  ]),
  role(ROLE_IDS.operator, 'Operator', 'application', [
    'devices.read',
    'devices.create',
    'devices.update',
    'devices.delete',
    'devices.executeCommands',
    'devices.readRawData',
    'devices.readFiles',
    'deviceTemplates.read',
    ...inAreas('deviceGroups', 'jobs', 'personalDashboards'),
    'dashboards.read',
    'dataExplorer.read',
    'organizations.read',
  ]),
]

/** The organization roles, added when the application's first organization is created. */
export const ORGANIZATION_ROLES: readonly RoleDefinition[] = [
  role(ROLE_IDS.orgAdmin, 'Org Admin', 'organization', [
    ...inAreas('devices', 'deviceGroups', 'jobs', 'rules', 'dashboards', 'personalDashboards'),
    'deviceTemplates.read',
    'users.read',
    'users.create',
    'users.update',
    'users.delete',
    'organizations.read',
    'organizations.create',
    'organizations.update',
    'organizations.delete',
  ]),
  role(ROLE_IDS.orgOperator, 'Org Operator', 'organization', [
    'devices.read',
    'devices.create',
    'devices.update',
    'devices.executeCommands',
    'devices.readRawData',
    'deviceTemplates.read',
    'deviceGroups.read',
    'dashboards.read',
    'personalDashboards.read',
    'organizations.read',
  ]),
  role(ROLE_IDS.orgViewer, 'Org Viewer', 'organization', [
    'devices.read',
    'devices.readRawData',
    'deviceTemplates.read',
    'deviceGroups.read',
    'dashboards.read',
    'organizations.read',
  ]),
]

/** Every built-in role, application roles first, in IoT Central's order. */
export const BUILTIN_ROLES: readonly RoleDefinition[] = [...APPLICATION_ROLES, ...ORGANIZATION_ROLES]

const BUILTIN_IDS: ReadonlySet<string> = new Set(Object.values(ROLE_IDS))

/** True for the id of a built-in role, whether or not it is in the store yet. */
export const isBuiltinRoleId = (id: string): boolean => BUILTIN_IDS.has(id)
