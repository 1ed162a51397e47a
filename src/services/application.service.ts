import { randomUUID } from 'node:crypto'
import { APPLICATION_ROLES } from '../authz/builtin-roles.js'
import { applicationRepository } from '../storage/repositories/application.repository.js'
import { roleRepository } from '../storage/repositories/role.repository.js'
import type { Store } from '../storage/store.js'

/**
 * Gives the store its identity on first start (the application id, which is the `sr` of every API
 * token) and keeps the built-in roles in line with this version's catalogue. Returns the id.
 */
export async function initializeApplication(store: Store, nowMs: number): Promise<string> {
  return store.db.transaction().execute(async (trx) => {
    const existing = await applicationRepository.get(trx)
    const id = existing?.id ?? randomUUID()
    if (!existing) await applicationRepository.insert(trx, id, Math.floor(nowMs / 1000))
    for (const role of APPLICATION_ROLES) {
      await roleRepository.upsert(
        trx,
        { ...role, builtin: true, permissions: [...role.permissions] },
        Math.floor(nowMs / 1000),
      )
    }
    return id
  })
}
