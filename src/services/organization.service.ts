import type { Principal } from '../auth/principal.js'
import { ORGANIZATION_ROLES, ROLE_IDS } from '../authz/builtin-roles.js'
import { childrenOf, MAX_ORGANIZATIONS, placementProblem } from '../authz/organization-tree.js'
import { OPERATOR_ACCESS } from '../authz/policy.js'
import { Reach } from '../authz/reach.js'
import type { Clock } from '../clock.js'
import { conflict, forbidden, notFound, unprocessable } from '../errors/app-error.js'
import { deviceGroupRepository } from '../storage/repositories/device-group.repository.js'
import { deviceRepository } from '../storage/repositories/device.repository.js'
import type { Executor } from '../storage/repositories/executor.js'
import { organizationRepository } from '../storage/repositories/organization.repository.js'
import { roleAssignmentRepository } from '../storage/repositories/role-assignment.repository.js'
import type { Store } from '../storage/store.js'
import {
  loadOrganizations,
  type OrganizationCatalog,
  type OrganizationRecord,
} from './organization-catalog.js'
import { saveBuiltinRoles, storedRoleIds } from './builtin-role-store.js'
import { requireAt } from './scope-checks.js'

/** IoT Central's organizationId pattern (and its maxLength of 48). */
export const ORGANIZATION_ID_PATTERN = '^(?!-)[a-z0-9-]{1,48}[a-z0-9]$'
const ID_PATTERN = new RegExp(ORGANIZATION_ID_PATTERN)
const MAX_ID_LENGTH = 48

export interface OrganizationView {
  id: string
  displayName: string
  /** Absent for a top-level organization, as in IoT Central's lists. */
  parent?: string
}

/** An organization as a client describes it: a PUT body, or the result of a merge patch. */
export interface OrganizationInput {
  displayName: string
  parent?: string | null | undefined
}

export interface OrganizationPatch {
  displayName?: string | undefined
  parent?: string | null | undefined
}

export const isOrganizationId = (id: string): boolean =>
  id.length <= MAX_ID_LENGTH && ID_PATTERN.test(id)

export class OrganizationService {
  constructor(
    private readonly store: Store,
    private readonly catalog: OrganizationCatalog,
    private readonly clock: Clock,
  ) {}

  /** The organizations the caller reaches, by id. */
  async list(caller: Principal | null): Promise<OrganizationView[]> {
    const { records, tree } = await this.catalog.current()
    const reach = new Reach(caller ?? OPERATOR_ACCESS, tree)
    return [...records.values()]
      .filter((record) => reach.includes('organizations.read', record.id))
      .map(toView)
  }

  async get(caller: Principal | null, id: string): Promise<OrganizationView> {
    const { records, tree } = await this.catalog.current()
    const record = visible(new Reach(caller ?? OPERATOR_ACCESS, tree), records, id)
    if (!record) throw notFound(`The organization '${id}'`)
    return toView(record)
  }

  /** Creates the organization, or replaces its name and parent when it exists (PUT). */
  async put(
    caller: Principal | null,
    id: string,
    input: OrganizationInput,
  ): Promise<OrganizationView> {
    if (!isOrganizationId(id)) {
      throw unprocessable(
        `organizationId: '${id}' is not a valid organization id (up to 48 lower-case letters, digits or '-', not starting with '-' nor ending with it).`,
      )
    }
    return this.write(caller, id, 'put', () => ({
      displayName: input.displayName,
      parent: input.parent ?? null,
    }))
  }

  /** Applies a JSON merge patch (`displayName`, `parent`; `parent: null` moves it to the top). */
  async patch(
    caller: Principal | null,
    id: string,
    patch: OrganizationPatch,
  ): Promise<OrganizationView> {
    return this.write(caller, id, 'patch', (current) => {
      if (!current) throw notFound(`The organization '${id}'`)
      return {
        displayName: patch.displayName ?? current.displayName,
        parent: patch.parent === undefined ? current.parent : patch.parent,
      }
    })
  }

  /** Deletes an organization that holds nothing any more: no devices, principals or children. */
  async delete(caller: Principal | null, id: string): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      await this.store.lockApplication(trx)
      const { records, tree } = await loadOrganizations(trx)
      const reach = new Reach(caller ?? OPERATOR_ACCESS, tree)
      if (!visible(reach, records, id)) throw notFound(`The organization '${id}'`)
      requireAt(reach, 'organizations.delete', id)
      const left = await whatIsLeftIn(trx, id, childrenOf(tree, id).length)
      if (left) {
        throw conflict(`The organization '${id}' still has ${left}; move or delete them first.`)
      }
      await organizationRepository.delete(trx, id)
    })
    await this.store.changes.publish('organization', id)
  }

  private async write(
    caller: Principal | null,
    id: string,
    mode: 'put' | 'patch',
    next: (current: OrganizationRecord | undefined) => {
      displayName: string
      parent: string | null
    },
  ): Promise<OrganizationView> {
    const now = Math.floor(this.clock() / 1000)
    const { row, addedRoles } = await this.store.db.transaction().execute(async (trx) => {
      await this.store.lockApplication(trx)
      const { records, tree } = await loadOrganizations(trx)
      const reach = new Reach(caller ?? OPERATOR_ACCESS, tree)
      const current = visible(reach, records, id)
      if (!current && mode === 'patch') throw notFound(`The organization '${id}'`)
      if (!current && records.has(id)) {
        // Ids are unique application-wide: this one is taken, by an organization out of reach.
        throw conflict(`The organization id '${id}' is already taken; choose another.`)
      }
      const needed = current ? 'organizations.update' : 'organizations.create'
      if (caller && !caller.permissions.has(needed)) {
        throw forbidden(`You do not have permission to do this: it needs ${needed}.`)
      }
      const values = next(current)
      const { parent } = values
      if (parent !== null && !reach.sees(parent)) {
        throw unprocessable(`parent: the organization '${parent}' does not exist.`)
      }
      const problem = placementProblem(tree, id, parent)
      if (problem) throw unprocessable(`parent: ${problem}`)
      if (current) {
        requireAt(reach, 'organizations.update', id)
        if (parent !== current.parent) requireAt(reach, 'organizations.update', parent)
      } else {
        requireAt(reach, 'organizations.create', parent)
        if (records.size >= MAX_ORGANIZATIONS) {
          throw conflict(
            `An application has at most ${MAX_ORGANIZATIONS} organizations; delete one first.`,
          )
        }
      }
      const row = {
        id,
        display_name: values.displayName,
        parent_id: parent,
        created_at: current?.createdAt ?? now,
      }
      await organizationRepository.upsert(trx, row)
      // IoT Central adds the organization roles with the first organization; they then stay.
      const addedRoles = records.size === 0 && (await addOrganizationRoles(trx, now))
      return { row, addedRoles }
    })
    await this.store.changes.publish('organization', id)
    if (addedRoles) await this.store.changes.publish('role', ROLE_IDS.orgAdmin)
    return toView({ id, displayName: row.display_name, parent: row.parent_id, createdAt: now })
  }
}

/** The organization, when it exists and the caller reaches it; else answered as nonexistent. */
function visible(
  reach: Reach,
  records: ReadonlyMap<string, OrganizationRecord>,
  id: string,
): OrganizationRecord | undefined {
  const record = records.get(id)
  return record && reach.includes('organizations.read', id) ? record : undefined
}

/** Inserts the organization roles unless present; true when it did. */
async function addOrganizationRoles(trx: Executor, now: number): Promise<boolean> {
  const present = await storedRoleIds(trx)
  const missing = ORGANIZATION_ROLES.filter((role) => !present.has(role.id))
  await saveBuiltinRoles(trx, missing, now)
  return missing.length > 0
}

/** "2 devices, 1 user and 1 child organization", or null when nothing is left. */
async function whatIsLeftIn(trx: Executor, id: string, children: number): Promise<string | null> {
  const devices = await deviceRepository.countInOrganization(trx, id)
  const deviceGroups = await deviceGroupRepository.countInOrganization(trx, id)
  const holders = await roleAssignmentRepository.holdersIn(trx, id)
  const count = (type: string) => holders.filter((h) => h.type === type).length
  const parts = [
    counted(devices, 'device'),
    counted(deviceGroups, 'device group'),
    counted(count('user'), 'user'),
    counted(count('apiToken'), 'API token'),
    counted(children, 'child organization'),
  ].filter((part): part is string => part !== null)
  if (parts.length === 0) return null
  const last = parts.pop() as string
  return parts.length === 0 ? last : `${parts.join(', ')} and ${last}`
}

const counted = (n: number, noun: string): string | null =>
  n === 0 ? null : `${n} ${noun}${n === 1 ? '' : 's'}`

function toView(record: OrganizationRecord): OrganizationView {
  return record.parent === null
    ? { id: record.id, displayName: record.displayName }
    : { id: record.id, displayName: record.displayName, parent: record.parent }
}
