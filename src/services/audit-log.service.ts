import type { Actor, AuditOutcome } from '../audit/audit-trail.js'
import type { Principal } from '../auth/principal.js'
import { AppError } from '../errors/app-error.js'
import { auditLogRepository, type AuditLogFilter } from '../storage/repositories/audit-log.repository.js'
import type { AuditLogRow } from '../storage/tables/audit-log.js'
import type { Store } from '../storage/store.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import type { Page, PageRequest } from './paging.js'
import { requireAt } from './scope-checks.js'

/** One record as clients read it (an extension: IoT Central's API has no audit log). */
export interface AuditLogView {
  id: string
  time: string
  actor: { type: Actor['type']; id?: string }
  action: string
  target?: string
  clientAddress?: string
  requestId?: string
  outcome: AuditOutcome
  status?: number
  count: number
}

/** What a client may filter on: a time range (ISO date-times) and exact actor id and action. */
export interface AuditLogQuery {
  from?: string | undefined
  to?: string | undefined
  actor?: string | undefined
  action?: string | undefined
}

/** Reads the audit log: application-wide, for holders of `auditLog.read` (Administrators by default). */
export class AuditLogService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
  ) {}

  /** Newest first, a page at a time; `caller` null is the operator at the CLI. */
  async list(caller: Principal | null, query: AuditLogQuery, page: PageRequest): Promise<Page<AuditLogView>> {
    if (caller !== null) requireAt(await this.organizations.reachOf(caller), 'auditLog.read', null)
    const filter = filterOf(query)
    const rows = await auditLogRepository.page(this.store.db, filter, page.after, page.limit + 1)
    const more = rows.length > page.limit
    const pageRows = more ? rows.slice(0, page.limit) : rows
    return { items: pageRows.map(view), next: more ? (pageRows[pageRows.length - 1] as AuditLogRow).id : null }
  }
}

function timeOf(field: 'from' | 'to', value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const at = Date.parse(value)
  if (Number.isNaN(at)) throw new AppError('BadRequest', `${field}: '${value}' is not a date-time.`)
  return at
}

function filterOf(query: AuditLogQuery): AuditLogFilter {
  const filter = { from: timeOf('from', query.from), to: timeOf('to', query.to), actor: query.actor, action: query.action }
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
    throw new AppError('BadRequest', 'to: must be later than from.')
  }
  return filter
}

function view(row: AuditLogRow): AuditLogView {
  return {
    id: row.id,
    time: new Date(row.at_ms).toISOString(),
    actor: { type: row.actor_type as Actor['type'], ...(row.actor_id === null ? {} : { id: row.actor_id }) },
    action: row.action,
    ...(row.target === null ? {} : { target: row.target }),
    ...(row.client_address === null ? {} : { clientAddress: row.client_address }),
    ...(row.request_id === null ? {} : { requestId: row.request_id }),
    outcome: row.outcome as AuditOutcome,
    ...(row.status === null ? {} : { status: row.status }),
    count: row.count,
  }
}
