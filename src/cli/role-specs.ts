import type { RoleAssignment } from '../authz/policy.js'
import type { Services } from '../services/index.js'
import { UsageError } from './output.js'

/**
 * Reads `--role` values: `<role id or name>` or `<role>:<organization id>` (role names have no
 * colon; organization ids neither). An unknown role is a usage error that lists the known ones.
 */
export async function parseRoleSpecs(
  services: Services,
  specs: readonly string[],
): Promise<RoleAssignment[]> {
  const roles: RoleAssignment[] = []
  for (const spec of specs) {
    const at = spec.lastIndexOf(':')
    const name = at < 0 ? spec : spec.slice(0, at)
    const organization = at < 0 ? undefined : spec.slice(at + 1)
    const role = await services.roles.find(name)
    if (!role) {
      const known = [...(await services.roles.current()).values()].map((r) => r.displayName)
      throw new UsageError(`unknown role '${name}' (known: ${known.join(', ')})`)
    }
    roles.push(organization === undefined ? { role: role.id } : { role: role.id, organization })
  }
  return roles
}
