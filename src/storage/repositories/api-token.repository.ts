import type { Insertable } from 'kysely'
import type { RoleAssignment } from '../../authz/policy.js'
import type { ApiTokenRow } from '../schema.js'
import type { ApiTokenTable } from '../schema.js'
import type { Executor } from './executor.js'

export interface ApiTokenWithAssignments {
  secretHash: string
  expiresAtMs: number
  /** A rotated token's replaced secret and until when it still opens (null: none). */
  previousSecretHash: string | null
  previousValidUntilMs: number | null
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
      .select([
        't.secret_hash',
        't.expires_at_ms',
        't.previous_secret_hash',
        't.previous_valid_until_ms',
        'ra.role_id',
        'ra.organization_id',
      ])
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
    return {
      secretHash: first.secret_hash,
      expiresAtMs: first.expires_at_ms,
      previousSecretHash: first.previous_secret_hash,
      previousValidUntilMs: first.previous_valid_until_ms,
      assignments,
    }
  },

  async list(db: Executor): Promise<ApiTokenRow[]> {
    return db.selectFrom('api_tokens').selectAll().orderBy('id').execute()
  },

  async insert(db: Executor, row: Insertable<ApiTokenTable>): Promise<void> {
    await db.insertInto('api_tokens').values(row).execute()
  },

  /**
   * Replaces the secret, keeping the one it replaces valid until `previousValidUntilMs`. Only if
   * the stored secret is still `expectedHash`: two concurrent rotations cannot both win.
   */
  async rotate(
    db: Executor,
    id: string,
    expectedHash: string,
    secretHash: string,
    previousValidUntilMs: number,
  ): Promise<boolean> {
    const result = await db
      .updateTable('api_tokens')
      .set({
        secret_hash: secretHash,
        previous_secret_hash: expectedHash,
        previous_valid_until_ms: previousValidUntilMs,
      })
      .where('id', '=', id)
      .where('secret_hash', '=', expectedHash)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },
}
