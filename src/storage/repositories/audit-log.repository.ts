import type { AuditLogRow } from '../tables/audit-log.js'
import type { Executor } from './executor.js'

export interface AuditLogFilter {
  /** Epoch milliseconds, inclusive. */
  from?: number | undefined
  /** Epoch milliseconds, exclusive. */
  to?: number | undefined
  actor?: string | undefined
  action?: string | undefined
}

/** The id every record at or after `atMs` sorts at or after (ids start with the time). */
const idFloor = (atMs: number) => String(Math.max(0, atMs)).padStart(15, '0')

export const auditLogRepository = {
  async insert(db: Executor, rows: AuditLogRow[]): Promise<void> {
    await db.insertInto('audit_log').values(rows).execute()
  },

  /** Newest first, starting before `beforeId`. */
  async page(db: Executor, filter: AuditLogFilter, beforeId: string | null, limit: number): Promise<AuditLogRow[]> {
    let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit)
    if (beforeId !== null) query = query.where('id', '<', beforeId)
    if (filter.from !== undefined) query = query.where('id', '>=', idFloor(filter.from))
    if (filter.to !== undefined) query = query.where('id', '<', idFloor(filter.to))
    if (filter.actor !== undefined) query = query.where('actor_id', '=', filter.actor)
    if (filter.action !== undefined) query = query.where('action', '=', filter.action)
    return query.execute()
  },

  /** Deletes up to `limit` records older than `beforeMs`; answers how many it deleted. */
  async prune(db: Executor, beforeMs: number, limit: number): Promise<number> {
    const oldest = db
      .selectFrom('audit_log')
      .select('id')
      .where('id', '<', idFloor(beforeMs))
      .orderBy('id')
      .limit(limit)
    const result = await db.deleteFrom('audit_log').where('id', 'in', oldest).executeTakeFirst()
    return Number(result.numDeletedRows)
  },
}
