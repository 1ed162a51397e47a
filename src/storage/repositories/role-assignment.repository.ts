import type { RoleAssignment } from '../../authz/policy.js'
import type { Executor } from './executor.js'

export type PrincipalType = 'apiToken' | 'user'

export const roleAssignmentRepository = {
  async listFor(db: Executor, type: PrincipalType, id: string): Promise<RoleAssignment[]> {
    const rows = await db
      .selectFrom('role_assignments')
      .select(['role_id', 'organization_id'])
      .where('principal_type', '=', type)
      .where('principal_id', '=', id)
      .orderBy('position')
      .execute()
    return rows.map(toAssignment)
  },

  /** Assignments of many principals in one query, keyed by principal id. */
  async listForMany(
    db: Executor,
    type: PrincipalType,
    ids: readonly string[],
  ): Promise<Map<string, RoleAssignment[]>> {
    const result = new Map<string, RoleAssignment[]>(ids.map((id) => [id, []]))
    if (ids.length === 0) return result
    const rows = await db
      .selectFrom('role_assignments')
      .select(['principal_id', 'role_id', 'organization_id'])
      .where('principal_type', '=', type)
      .where('principal_id', 'in', ids)
      .orderBy('principal_id')
      .orderBy('position')
      .execute()
    for (const row of rows) result.get(row.principal_id)?.push(toAssignment(row))
    return result
  },

  async replace(
    db: Executor,
    type: PrincipalType,
    id: string,
    assignments: readonly RoleAssignment[],
  ): Promise<void> {
    await this.deleteFor(db, type, id)
    if (assignments.length === 0) return
    await db
      .insertInto('role_assignments')
      .values(
        assignments.map((a, position) => ({
          principal_type: type,
          principal_id: id,
          position,
          role_id: a.role,
          organization_id: a.organization ?? null,
        })),
      )
      .execute()
  },

  async deleteFor(db: Executor, type: PrincipalType, id: string): Promise<void> {
    await db
      .deleteFrom('role_assignments')
      .where('principal_type', '=', type)
      .where('principal_id', '=', id)
      .execute()
  },

  /**
   * Every principal that holds `roleId` application-wide: users, and API tokens that have not
   * expired at `nowMs`.
   */
  async holdersOfApplicationRole(
    db: Executor,
    roleId: string,
    nowMs: number,
  ): Promise<{ type: PrincipalType; id: string }[]> {
    const rows = await db
      .selectFrom('role_assignments as ra')
      .leftJoin('api_tokens as t', (join) =>
        join.onRef('t.id', '=', 'ra.principal_id').on('ra.principal_type', '=', 'apiToken'),
      )
      .select(['ra.principal_type', 'ra.principal_id'])
      .distinct()
      .where('ra.role_id', '=', roleId)
      .where('ra.organization_id', 'is', null)
      .where((eb) =>
        eb.or([eb('ra.principal_type', '=', 'user'), eb('t.expires_at_ms', '>', nowMs)]),
      )
      .execute()
    return rows.map((r) => ({ type: r.principal_type as PrincipalType, id: r.principal_id }))
  },
}

function toAssignment(row: { role_id: string; organization_id: string | null }): RoleAssignment {
  return row.organization_id === null
    ? { role: row.role_id }
    : { role: row.role_id, organization: row.organization_id }
}
