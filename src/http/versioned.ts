import { refuseMember, supports, type ApiVersion } from './api-versions.js'

/**
 * Views and body checks shared by the resources whose shape differs between api-versions. Each
 * resource's own view (e.g. `deviceFor`) builds on these; a version's view never invents a member
 * the version does not define, and a body may only set the members its version defines.
 */

interface Assignment {
  role: string
  organization?: string | undefined
}

/** Role assignments as the version shows them: without `organization` before organizations existed. */
export function rolesFor<T extends Assignment>(version: ApiVersion, roles: readonly T[]): T[] {
  if (supports(version, 'organizations')) return roles as T[]
  return roles.map(({ organization: _omitted, ...rest }) => rest as T)
}

/** Refuses `roles[i].organization` in a version without organizations. */
export function checkRolesFor(
  version: ApiVersion,
  roles: readonly Assignment[] | null | undefined,
  field = 'roles',
): void {
  if (!roles || supports(version, 'organizations')) return
  const index = roles.findIndex((assignment) => assignment.organization !== undefined)
  if (index >= 0) refuseMember(version, `${field}[${index}].organization`)
}

/** Refuses a member of `body` that the version does not have (`organizations` in 1.0, say). */
export function checkMemberFor(
  version: ApiVersion,
  body: object | null | undefined,
  member: string,
  capability: Parameters<typeof supports>[1],
): void {
  if (body && member in body && !supports(version, capability)) refuseMember(version, member)
}
