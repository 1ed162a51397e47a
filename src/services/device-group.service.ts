import type { Principal } from '../auth/principal.js'
import { subtreeOf, type OrganizationTree } from '../authz/organization-tree.js'
import type { Reach } from '../authz/reach.js'
import type { Scope } from '../authz/scope.js'
import type { Clock } from '../clock.js'
import { compileCondition, parseDeviceQuery, QuerySyntaxError, servedByIndex } from '../device-query/index.js'
import { conflict, forbidden, notFound, unprocessable } from '../errors/app-error.js'
import { deviceGroupRepository, type DeviceFilter } from '../storage/repositories/device-group.repository.js'
import { retryLostCreate } from './retry-lost-create.js'
import type { DeviceRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import type { DeviceGroupRow } from '../storage/tables/device-groups.js'
import { toView as deviceView, type DeviceView } from './device.service.js'
import { checkEtag, expectedEtag, newEtag, insertOrUpdateRead } from './etag.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { readPage, type Page, type PageRequest } from './paging.js'
import { requireAt } from './scope-checks.js'

export interface DeviceGroupView {
  id: string
  etag: string
  displayName: string
  description?: string
  filter: string
  organizations?: string[]
}

/** The writable members of a device group, as a PUT body or a merge patch carries them. */
export interface DeviceGroupInput {
  id?: unknown
  etag?: unknown
  displayName?: string | null
  description?: string | null
  filter?: string | null
  organizations?: string[] | null
}

export const DEVICE_GROUP_ID_PATTERN = '^[a-zA-Z0-9_-]{1,255}$'
const ID_PATTERN = new RegExp(DEVICE_GROUP_ID_PATTERN)

/** IoT Central's limit: 1,000 device groups in an application. */
export const MAX_DEVICE_GROUPS = 1000

/** How many devices the filter preview answers. */
export const PREVIEW_SIZE = 25

/** Compiled filters kept, by text: a group's filter is compiled once, not on every page. */
const COMPILED_FILTERS = 2000

export class DeviceGroupService {
  private readonly compiled = new Map<string, DeviceFilter>()

  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly clock: Clock,
  ) {}

  /** The device groups within the caller's reach, a page at a time. */
  async list(caller: Principal | null, page: PageRequest): Promise<Page<DeviceGroupView>> {
    const scope = (await this.organizations.reachOf(caller)).scope('deviceGroups.read')
    const within = scope.application ? null : [...scope.organizations]
    return readPage(
      page,
      (after, limit) => deviceGroupRepository.page(this.store.db, after, limit, within, scope.application),
      (rows) => rows.map(toView),
    )
  }

  /** One device group; `caller` null is the operator, who reaches everything. */
  async get(caller: Principal | null, id: string): Promise<DeviceGroupView> {
    const reach = await this.organizations.reachOf(caller)
    return toView(await this.readable(reach, id))
  }

  /**
   * Every device the group holds, in id order after `after`, at most `limit`: those matching its
   * filter within its organization and below (anywhere, for a group at the root). The system's
   * view, for jobs and other parts that act on a group: no caller is checked.
   */
  async membersPage(groupId: string, after: string | null, limit: number): Promise<DeviceRow[]> {
    const group = await deviceGroupRepository.get(this.store.db, groupId)
    if (!group) throw notFound(`The device group '${groupId}'`)
    const { tree } = await this.organizations.current()
    const within = group.organization_id === null ? null : [...subtreeOf(tree, group.organization_id)].sort()
    return deviceGroupRepository.devicePage(this.store.db, this.filterOf(group.filter), after, limit, within)
  }

  /** The group's devices that the caller may read (`devices.read`), a page at a time. */
  async devices(caller: Principal | null, id: string, page: PageRequest): Promise<Page<DeviceView>> {
    const reach = await this.organizations.reachOf(caller)
    const group = await this.readable(reach, id)
    const within = withinBoth(group.organization_id, reach.scope('devices.read'), reach.tree)
    const filter = this.filterOf(group.filter)
    return readPage(
      page,
      (after, limit) => deviceGroupRepository.devicePage(this.store.db, filter, after, limit, within),
      (rows) => rows.map(deviceView),
    )
  }

  /**
   * The first devices a filter would hold, within `organizations` (at most one) and the caller's
   * reach: what the web application shows while a group is being written.
   */
  async preview(caller: Principal | null, filter: string, organizations: string[] | undefined): Promise<DeviceView[]> {
    const reach = await this.organizations.reachOf(caller)
    const compiled = this.parse(filter)
    const organization = checkOrganization(reach, organizations ?? [])
    const within = withinBoth(organization, reach.scope('devices.read'), reach.tree)
    const rows = await deviceGroupRepository.devicePage(this.store.db, compiled, null, PREVIEW_SIZE, within)
    return rows.map(deviceView)
  }

  /** Creates the group, or replaces its writable members when it exists. */
  async put(caller: Principal | null, id: string, input: DeviceGroupInput, ifMatch?: string): Promise<DeviceGroupView> {
    if (!ID_PATTERN.test(id)) {
      throw unprocessable(`deviceGroupId: '${id}' is not a valid device group id (1-255 letters, digits, '_' or '-').`)
    }
    return this.write(caller, id, 'put', ifMatch, input, () => ({
      displayName: required(input.displayName, 'displayName'),
      description: input.description ?? null,
      filter: required(input.filter, 'filter'),
      organizations: input.organizations ?? [],
    }))
  }

  /** Applies a JSON merge patch to an existing group. */
  async patch(caller: Principal | null, id: string, patch: DeviceGroupInput, ifMatch?: string): Promise<DeviceGroupView> {
    return this.write(caller, id, 'patch', ifMatch, patch, (current) => {
      if (!current) throw notFound(`The device group '${id}'`)
      return {
        displayName: patch.displayName === undefined ? current.display_name : required(patch.displayName, 'displayName'),
        description: patch.description === undefined ? current.description : patch.description,
        filter: patch.filter === undefined ? current.filter : required(patch.filter, 'filter'),
        organizations:
          patch.organizations === undefined
            ? current.organization_id === null
              ? []
              : [current.organization_id]
            : (patch.organizations ?? []),
      }
    })
  }

  async delete(caller: Principal | null, id: string, ifMatch?: string): Promise<void> {
    const reach = await this.organizations.reachOf(caller)
    await this.store.db.transaction().execute(async (trx) => {
      const row = readable(reach, await deviceGroupRepository.get(trx, id))
      if (!row) throw notFound(`The device group '${id}'`)
      requireAt(reach, 'deviceGroups.delete', row.organization_id)
      checkEtag(expectedEtag(undefined, ifMatch), row.etag, `The device group '${id}'`)
      await deviceGroupRepository.delete(trx, id)
    })
  }

  private async readable(reach: Reach, id: string): Promise<DeviceGroupRow> {
    const row = ID_PATTERN.test(id) ? readable(reach, await deviceGroupRepository.get(this.store.db, id)) : undefined
    if (!row) throw notFound(`The device group '${id}'`)
    return row
  }

  private async write(
    caller: Principal | null,
    id: string,
    mode: 'put' | 'patch',
    ifMatch: string | undefined,
    input: DeviceGroupInput,
    next: (current: DeviceGroupRow | undefined) => {
      displayName: string
      description: string | null
      filter: string
      organizations: string[]
    },
  ): Promise<DeviceGroupView> {
    if (mode === 'patch' && !ID_PATTERN.test(id)) throw notFound(`The device group '${id}'`)
    if (input.id !== undefined && input.id !== id) {
      throw unprocessable(`id: is read-only and must be '${id}', the id in the path.`)
    }
    const now = Math.floor(this.clock() / 1000)
    const reach = await this.organizations.reachOf(caller)
    const written = await retryLostCreate(this.store.db, async (trx) => {
      const stored = await deviceGroupRepository.getForUpdate(trx, id)
      const current = readable(reach, stored)
      if (!current && mode === 'patch') throw notFound(`The device group '${id}'`)
      if (stored && !current) {
        // Ids are unique application-wide: this one is taken, by a group out of the caller's reach.
        throw conflict(`The device group id '${id}' is already taken; choose another.`)
      }
      const needed = current ? 'deviceGroups.update' : 'deviceGroups.create'
      if (caller && !caller.permissions.has(needed)) {
        throw forbidden(`You do not have permission to do this: it needs ${needed}.`)
      }
      const expected = expectedEtag(input.etag, ifMatch)
      // A body etag on a new group is tolerated (clients resend what they read); If-Match is not.
      if (current || ifMatch) checkEtag(expected, current?.etag ?? null, `The device group '${id}'`)
      const values = next(current)
      this.parse(values.filter)
      const organization = checkOrganization(reach, values.organizations)
      if (current) {
        requireAt(reach, 'deviceGroups.update', current.organization_id)
        if (organization !== current.organization_id) requireAt(reach, 'deviceGroups.update', organization)
      } else {
        requireAt(reach, 'deviceGroups.create', organization)
        if ((await deviceGroupRepository.count(trx)) >= MAX_DEVICE_GROUPS) {
          throw conflict(`An application holds at most ${MAX_DEVICE_GROUPS} device groups; delete one first.`)
        }
      }
      const row: DeviceGroupRow = {
        id,
        display_name: values.displayName,
        description: values.description,
        filter: values.filter,
        organization_id: organization,
        etag: newEtag(),
        created_at: current?.created_at ?? now,
        updated_at: now,
      }
      await insertOrUpdateRead(
        current?.etag,
        {
          insert: () => deviceGroupRepository.insert(trx, row),
          update: (etag) => deviceGroupRepository.update(trx, row, etag),
        },
        `The device group '${id}'`,
      )
      return row
    }, `The device group '${id}' was created concurrently; retry.`)
    return toView(written)
  }

  /** The filter compiled to a WHERE on devices, or a 422 saying where and why it is wrong. */
  private parse(filter: string): DeviceFilter {
    const cached = this.compiled.get(filter)
    if (cached !== undefined) return cached
    let where
    try {
      where = parseDeviceQuery(filter).where
    } catch (error) {
      if (error instanceof QuerySyntaxError) throw unprocessable(`filter: ${error.message}.`)
      throw error
    }
    const dialect = this.store.dialect
    const compiled: DeviceFilter =
      where === null
        ? null
        : {
            where: (eb, useIndexes) => compileCondition(eb, where, dialect, { useIndexes }),
            indexable: servedByIndex(where),
          }
    if (this.compiled.size >= COMPILED_FILTERS) this.compiled.clear()
    this.compiled.set(filter, compiled)
    return compiled
  }

  /** A stored filter, compiled (it was parsed when stored). */
  private filterOf(filter: string): DeviceFilter {
    return this.parse(filter)
  }
}

/** The group, when it exists and the caller may see it; a group without organization is the root's. */
function readable(reach: Reach, row: DeviceGroupRow | undefined): DeviceGroupRow | undefined {
  return row && reach.includes('deviceGroups.read', row.organization_id) ? row : undefined
}

function required(value: string | null | undefined, member: string): string {
  if (value === undefined || value === null) throw unprocessable(`${member}: is required.`)
  return value
}

/** The group's organization (`null`: the root); one the caller cannot see does not exist. */
function checkOrganization(reach: Reach, organizations: string[]): string | null {
  if (organizations.length > 1) {
    throw unprocessable('organizations: a device group belongs to at most one organization.')
  }
  const [organization] = organizations
  if (organization === undefined) return null
  if (!reach.sees(organization)) {
    throw unprocessable(`organizations: the organization '${organization}' does not exist.`)
  }
  return organization
}

/**
 * The organizations whose devices lie both below `organization` (`null`: anywhere) and within
 * `scope`; null when that is every device, the root's included.
 */
function withinBoth(organization: string | null, scope: Scope, tree: OrganizationTree): string[] | null {
  const below = organization === null ? null : subtreeOf(tree, organization)
  if (scope.application) return below === null ? null : [...below].sort()
  const reached = [...scope.organizations]
  return (below === null ? reached : reached.filter((id) => below.has(id))).sort()
}

export function toView(row: DeviceGroupRow): DeviceGroupView {
  const view: DeviceGroupView = {
    id: row.id,
    etag: row.etag,
    displayName: row.display_name,
    filter: row.filter,
  }
  if (row.description !== null) view.description = row.description
  if (row.organization_id !== null) view.organizations = [row.organization_id]
  return view
}
