/**
 * The permission catalogue. Areas and actions follow IoT Central's custom-role editor
 * (Managing devices, Managing the app, Managing users and roles, Customizing the app,
 * Extending the app); a permission is written `<area>.<action>`.
 */
export const CATALOGUE = {
  deviceTemplates: ['read', 'manage'],
  devices: [
    'read',
    'create',
    'update',
    'delete',
    'executeCommands',
    'readRawData',
    'readFiles',
    'deleteFiles',
  ],
  deviceGroups: ['read', 'create', 'update', 'delete'],
  deviceConnectivity: ['readInstance', 'manageInstance', 'readGlobal', 'manageGlobal'],
  edgeManifests: ['readInstance', 'manageInstance', 'readGlobal', 'manageGlobal'],
  jobs: ['read', 'create', 'update', 'delete', 'execute'],
  rules: ['read', 'create', 'update', 'delete'],
  applicationSettings: ['read', 'update', 'copy', 'delete'],
  applicationTemplate: ['read', 'export'],
  fileUpload: ['read', 'manage'],
  billing: ['manage'],
  auditLog: ['read'],
  roles: ['read', 'create', 'update', 'delete'],
  users: ['read', 'create', 'update', 'delete'],
  organizations: ['read', 'create', 'update', 'delete'],
  dashboards: ['read', 'create', 'update', 'delete'],
  personalDashboards: ['read', 'create', 'update', 'delete'],
  dataExplorer: ['read', 'create', 'update', 'delete'],
  branding: ['read', 'update'],
  helpLinks: ['read', 'update'],
  dataExport: ['read', 'create', 'update', 'delete'],
  apiTokens: ['read', 'create', 'delete'],
  /** OpenCentral's own: reading the Prometheus metrics on the main port. */
  metrics: ['read'],
} as const

type Catalogue = typeof CATALOGUE
export type Area = keyof Catalogue
export type Permission = {
  [A in Area]: `${A}.${Catalogue[A][number]}`
}[Area]

export const ALL_PERMISSIONS: readonly Permission[] = Object.entries(CATALOGUE).flatMap(
  ([area, actions]) => actions.map((action) => `${area}.${action}` as Permission),
)

const KNOWN: ReadonlySet<string> = new Set(ALL_PERMISSIONS)

export function isPermission(value: string): value is Permission {
  return KNOWN.has(value)
}

/**
 * What each permission needs alongside it, as IoT Central's role editor ticks automatically
 * (e.g. update ⇒ view; device instances ⇒ view device templates and device groups).
 * Every non-read action of an area also implies that area's `read`; that rule is applied in code.
 */
const EXTRA_DEPENDENCIES: Partial<Record<Permission, readonly Permission[]>> = {
  'devices.read': ['deviceTemplates.read', 'deviceGroups.read'],
  'devices.executeCommands': ['devices.update'],
  'deviceGroups.create': ['deviceGroups.update'],
  'jobs.execute': ['jobs.update', 'devices.update', 'devices.executeCommands'],
  'users.read': ['roles.read'],
  'apiTokens.read': ['roles.read'],
}

/** The permission set closed under its dependencies. */
export function withDependencies(permissions: Iterable<Permission>): Set<Permission> {
  const result = new Set<Permission>()
  const pending = [...permissions]
  while (pending.length > 0) {
    const permission = pending.pop() as Permission
    if (result.has(permission)) continue
    result.add(permission)
    const [area, action] = permission.split('.') as [Area, string]
    const read = `${area}.read`
    if (action !== 'read' && KNOWN.has(read)) pending.push(read as Permission)
    pending.push(...(EXTRA_DEPENDENCIES[permission] ?? []))
  }
  return result
}
