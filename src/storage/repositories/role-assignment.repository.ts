import type { RoleAssignment } from '../../authz/policy.js'
import type { Executor } from './executor.js'

export type PrincipalType = 'apiToken' | 'user'

export interface PrincipalRef {
  type: PrincipalType
  id: string
}

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

  /** Every principal holding `roleId` (anywhere), by type then id. */
  async holdersOfRole(db: Executor, roleId: string): Promise<PrincipalRef[]> {
    return holdersWhere(db, 'role_id', roleId)
  },

  /** Every principal with an assignment in `organization`, by type then id. */
  async holdersIn(db: Executor, organization: string): Promise<PrincipalRef[]> {
    return holdersWhere(db, 'organization_id', organization)
  },

  /**
   * Every principal that holds `roleId` application-wide: users, and API tokens that have not
   * expired at `nowMs`.
   */
  async holdersOfApplicationRole(
    db: Executor,
    roleId: string,
    nowMs: number,
  ): Promise<PrincipalRef[]> {
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
    return rows.map(toPrincipalRef)
  },
}

async function holdersWhere(
  db: Executor,
  column: 'role_id' | 'organization_id',
  value: string,
): Promise<PrincipalRef[]> {
  const rows = await db
    .selectFrom('role_assignments')
    .select(['principal_type', 'principal_id'])
    .distinct()
    .where(column, '=', value)
    .orderBy('principal_type')
    .orderBy('principal_id')
    .execute()
  return rows.map(toPrincipalRef)
}

function toPrincipalRef(row: { principal_type: string; principal_id: string }): PrincipalRef {
  return { type: row.principal_type as PrincipalType, id: row.principal_id }
}

function toAssignment(row: { role_id: string; organization_id: string | null }): RoleAssignment {
  return row.organization_id === null
    ? { role: row.role_id }
    : { role: row.role_id, organization: row.organization_id }
}
