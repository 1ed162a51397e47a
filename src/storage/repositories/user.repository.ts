import type { UserRow } from '../schema.js'
import type { Executor } from './executor.js'

export const userRepository = {
  async get(db: Executor, id: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
  },

  /**
   * One page in id order, starting after `afterId`. `organizations` null reads every user;
   * otherwise only users whose every role assignment lies in one of the listed organizations.
   */
  async page(
    db: Executor,
    afterId: string | null,
    limit: number,
    organizations: readonly string[] | null = null,
  ): Promise<UserRow[]> {
    if (organizations !== null && organizations.length === 0) return []
    let query = db.selectFrom('users').selectAll().orderBy('id').limit(limit)
    if (afterId !== null) query = query.where('id', '>', afterId)
    if (organizations !== null) {
      // No assignment of the user lies outside the listed organizations (the root included).
      query = query.where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('role_assignments as ra')
              .select('ra.position')
              .where('ra.principal_type', '=', 'user')
              .whereRef('ra.principal_id', '=', 'users.id')
              .where((inner) =>
                inner.or([
                  inner('ra.organization_id', 'is', null),
                  inner('ra.organization_id', 'not in', organizations),
                ]),
              ),
          ),
        ),
      )
    }
    return query.execute()
  },

  async findByEmailKey(db: Executor, emailKey: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('email_key', '=', emailKey).executeTakeFirst()
  },

  async findByDirectoryObject(
    db: Executor,
    type: string,
    tenantId: string,
    objectId: string,
  ): Promise<UserRow | undefined> {
    return db
      .selectFrom('users')
      .selectAll()
      .where('type', '=', type)
      .where('tenant_id', '=', tenantId)
      .where('object_id', '=', objectId)
      .executeTakeFirst()
  },

  async upsert(db: Executor, row: UserRow): Promise<void> {
    const { id, created_at, ...values } = row
    await db
      .insertInto('users')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute()
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },
}
