import { randomUUID } from 'node:crypto'
import { APPLICATION_ROLES, ORGANIZATION_ROLES } from '../authz/builtin-roles.js'
import { applicationRepository } from '../storage/repositories/application.repository.js'
import type { Store } from '../storage/store.js'
import { saveBuiltinRoles, storedRoleIds } from './builtin-role-store.js'

/**
 * Gives the store its identity on first start (the application id, which is the `sr` of every API
 * token) and keeps the built-in roles in line with this version's catalogue: the application roles
 * always, the organization roles once the first organization has added them. Returns the id.
 */
export async function initializeApplication(store: Store, nowMs: number): Promise<string> {
  return store.db.transaction().execute(async (trx) => {
    // Nodes starting together on an empty store must agree on one identity.
    await store.lockApplication(trx)
    const existing = await applicationRepository.get(trx)
    const id = existing?.id ?? randomUUID()
    if (!existing) await applicationRepository.insert(trx, id, Math.floor(nowMs / 1000))
    const present = await storedRoleIds(trx)
    const added = ORGANIZATION_ROLES.filter((role) => present.has(role.id))
    await saveBuiltinRoles(trx, [...APPLICATION_ROLES, ...added], Math.floor(nowMs / 1000))
    return id
  })
}
