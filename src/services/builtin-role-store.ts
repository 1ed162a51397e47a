import type { RoleDefinition } from '../authz/builtin-roles.js'
import type { Executor } from '../storage/repositories/executor.js'
import { roleRepository } from '../storage/repositories/role.repository.js'

/** The ids of the roles in the store. */
export async function storedRoleIds(db: Executor): Promise<Set<string>> {
  return new Set((await roleRepository.list(db)).map((role) => role.id))
}

/** Writes built-in roles as this version defines them (inserted, or brought up to date). */
export async function saveBuiltinRoles(
  db: Executor,
  roles: readonly RoleDefinition[],
  nowSeconds: number,
): Promise<void> {
  for (const role of roles) {
    await roleRepository.upsert(
      db,
      { ...role, builtin: true, permissions: [...role.permissions] },
      nowSeconds,
    )
  }
}
