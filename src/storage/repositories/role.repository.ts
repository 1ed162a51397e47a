import type { RoleRow } from '../schema.js'
import type { Executor } from './executor.js'

export interface RoleRecord {
  id: string
  displayName: string
  type: string
  builtin: boolean
  permissions: string[]
}

const toRecord = (row: RoleRow): RoleRecord => ({
  id: row.id,
  displayName: row.display_name,
  type: row.type,
  builtin: row.builtin === 1,
  permissions: JSON.parse(row.permissions) as string[],
})

export const roleRepository = {
  async list(db: Executor): Promise<RoleRecord[]> {
    const rows = await db.selectFrom('roles').selectAll().orderBy('created_at').orderBy('id').execute()
    return rows.map(toRecord)
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('roles').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },

  /** Inserts a role, or replaces its name, type and permissions. */
  async upsert(db: Executor, role: RoleRecord, now: number): Promise<void> {
    const values = {
      display_name: role.displayName,
      type: role.type,
      builtin: role.builtin ? 1 : 0,
      permissions: JSON.stringify(role.permissions),
    }
    await db
      .insertInto('roles')
      .values({ id: role.id, created_at: now, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute()
  },
}
