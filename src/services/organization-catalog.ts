import type { Principal } from '../auth/principal.js'
import type { OrganizationTree } from '../authz/organization-tree.js'
import { OPERATOR_ACCESS } from '../authz/policy.js'
import { Reach } from '../authz/reach.js'
import type { Executor } from '../storage/repositories/executor.js'
import { organizationRepository } from '../storage/repositories/organization.repository.js'
import type { Store } from '../storage/store.js'
import { CachedSnapshot } from './cached-snapshot.js'

export interface OrganizationRecord {
  id: string
  displayName: string
  /** null for a top-level organization */
  parent: string | null
  createdAt: number
}

export interface Organizations {
  /** By id, in id order. */
  records: ReadonlyMap<string, OrganizationRecord>
  tree: OrganizationTree
}

/** Reads every organization (at most 200) with the tree the scope rules walk. */
export async function loadOrganizations(db: Executor): Promise<Organizations> {
  const rows = await organizationRepository.list(db)
  const records = new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        displayName: row.display_name,
        parent: row.parent_id,
        createdAt: row.created_at,
      },
    ]),
  )
  return { records, tree: new Map(rows.map((row) => [row.id, row.parent_id])) }
}

/**
 * The organizations as they are now, kept in memory like the roles: scoping reads the tree on
 * every request that touches devices, users or tokens.
 */
export class OrganizationCatalog {
  private readonly snapshot: CachedSnapshot<Organizations>

  constructor(store: Store) {
    this.snapshot = new CachedSnapshot(store, 'organization', () => loadOrganizations(store.db))
  }

  async current(): Promise<Organizations> {
    return this.snapshot.get()
  }

  /** Where `caller` reaches now; `null` is the operator at the CLI, who reaches everything. */
  async reachOf(caller: Principal | null): Promise<Reach> {
    return new Reach(caller ?? OPERATOR_ACCESS, (await this.snapshot.get()).tree)
  }

  /**
   * The same, without waiting, when the organizations are held and may be trusted; null when they
   * must be read first (then use reachOf). For reads served on every request.
   */
  reachNow(caller: Principal | null): Reach | null {
    const held = this.snapshot.peek()
    return held === null ? null : new Reach(caller ?? OPERATOR_ACCESS, held.tree)
  }
}
