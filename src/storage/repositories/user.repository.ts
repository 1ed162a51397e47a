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

  /** The email user already bound to this directory identity. */
  async findBoundTo(db: Executor, tenantId: string, objectId: string): Promise<UserRow | undefined> {
    return db
      .selectFrom('users')
      .selectAll()
      .where('bound_tenant_id', '=', tenantId)
      .where('bound_object_id', '=', objectId)
      .executeTakeFirst()
  },

  /** Binds an email user to a directory identity, only if it is still unbound. */
  async bind(db: Executor, id: string, tenantId: string, objectId: string): Promise<boolean> {
    const result = await db
      .updateTable('users')
      .set({ bound_tenant_id: tenantId, bound_object_id: objectId })
      .where('id', '=', id)
      .where('type', '=', 'email')
      .where('bound_object_id', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  },

  /** Directory objects of one type and tenant among `objectIds` (AD groups named in a token). */
  async findDirectoryObjects(
    db: Executor,
    type: string,
    tenantId: string,
    objectIds: readonly string[],
  ): Promise<UserRow[]> {
    if (objectIds.length === 0) return []
    return db
      .selectFrom('users')
      .selectAll()
      .where('type', '=', type)
      .where('tenant_id', '=', tenantId)
      .where('object_id', 'in', objectIds)
      .orderBy('id')
      .execute()
  },

  async upsert(db: Executor, row: UserRow): Promise<void> {
    // Usage is written apart (src/usage), never by a change of the user.
    const { id, created_at, last_used_at_ms, last_used_address, ...values } = row
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
