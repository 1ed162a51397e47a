import type { RoleAssignment } from '../../authz/policy.js'
import type { ApiTokenRow } from '../schema.js'
import type { Executor } from './executor.js'

export interface ApiTokenWithAssignments {
  secretHash: string
  expiresAtMs: number
  assignments: RoleAssignment[]
}

export const apiTokenRepository = {
  async get(db: Executor, id: string): Promise<ApiTokenRow | undefined> {
    return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst()
  },

  /**
   * A token with its role assignments, in one statement: one snapshot, so a delete or a re-issue
   * committed meanwhile is seen whole or not at all (never a token without its roles).
   */
  async getWithAssignments(db: Executor, id: string): Promise<ApiTokenWithAssignments | undefined> {
    const rows = await db
      .selectFrom('api_tokens as t')
      .leftJoin('role_assignments as ra', (join) =>
        join.onRef('ra.principal_id', '=', 't.id').on('ra.principal_type', '=', 'apiToken'),
      )
      .select(['t.secret_hash', 't.expires_at_ms', 'ra.role_id', 'ra.organization_id'])
      .where('t.id', '=', id)
      .orderBy('ra.position')
      .execute()
    const first = rows[0]
    if (!first) return undefined
    const assignments: RoleAssignment[] = []
    for (const row of rows) {
      if (row.role_id === null) continue
      assignments.push(
        row.organization_id === null
          ? { role: row.role_id }
          : { role: row.role_id, organization: row.organization_id },
      )
    }
    return { secretHash: first.secret_hash, expiresAtMs: first.expires_at_ms, assignments }
  },

  async list(db: Executor): Promise<ApiTokenRow[]> {
    return db.selectFrom('api_tokens').selectAll().orderBy('id').execute()
  },

  async insert(db: Executor, row: ApiTokenRow): Promise<void> {
    await db.insertInto('api_tokens').values(row).execute()
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },
}
