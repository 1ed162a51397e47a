import type { Principal } from '../auth/principal.js'
import { conflict, forbidden, notFound, unprocessable } from '../errors/app-error.js'
import { deviceRelationshipRepository } from '../storage/repositories/device-relationship.repository.js'
import { deviceTemplateRepository } from '../storage/repositories/device-template.repository.js'
import { deviceDataRepository } from '../storage/repositories/device-data.repository.js'
import { deviceRepository } from '../storage/repositories/device.repository.js'
import { deviceAttestationRepository } from '../storage/repositories/provisioning.repository.js'
import type { Executor } from '../storage/repositories/executor.js'
import type { DeviceRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import { retryLostCreate } from './retry-lost-create.js'
import type { Clock } from '../clock.js'
import type { Reach } from '../authz/reach.js'
import { checkEtag, expectedEtag, newEtag, insertOrUpdateRead } from './etag.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { readPage, type Page, type PageRequest } from './paging.js'
import { requireAt } from './scope-checks.js'

export interface DeviceView {
  id: string
  etag: string
  displayName: string
  template?: string
  enabled: boolean
  provisioned: boolean
  simulated: boolean
  organizations?: string[]
}

/** The writable members of a device, as a PUT body or a merge patch carries them. */
export interface DeviceInput {
  id?: unknown
  etag?: unknown
  displayName?: string | null
  template?: string | null
  enabled?: boolean | null
  provisioned?: unknown
  simulated?: boolean | null
  organizations?: string[] | null
}

export const DEVICE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'
const ID_PATTERN = new RegExp(DEVICE_ID_PATTERN)

/** Whether `id` may name a device: the rule of IoT Central device ids. */
export const isDeviceId = (id: string): boolean => ID_PATTERN.test(id)

/** Why `id` is refused as a device id, said the same way by the API and the import. */
export const invalidDeviceId = (id: string): string =>
  `'${id}' is not a valid device id (1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit).`

export class DeviceService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly clock: Clock,
  ) {}

  /** The devices within the caller's reach, a page at a time. */
  async list(caller: Principal | null, page: PageRequest): Promise<Page<DeviceView>> {
    const scope = (await this.organizations.reachOf(caller)).scope('devices.read')
    const within = scope.application ? null : [...scope.organizations]
    return readPage(
      page,
      (after, limit) => deviceRepository.page(this.store.db, after, limit, within),
      (rows) => rows.map(toView),
    )
  }

  /**
   * Synchronous where it can be (SQLite, organizations held): the read behind every GET of a
   * device waits for no promise. A device out of reach is not found, thrown or rejected alike.
   */
  get(caller: Principal | null, id: string): DeviceView | Promise<DeviceView> {
    const reach = this.organizations.reachNow(caller)
    if (reach === null) return this.organizations.reachOf(caller).then((held) => this.getWithin(held, id))
    return this.getWithin(reach, id)
  }

  private getWithin(reach: Reach, id: string): DeviceView | Promise<DeviceView> {
    const read = deviceRepository.read(this.store, id)
    return read instanceof Promise ? read.then((row) => viewWithin(reach, id, row)) : viewWithin(reach, id, read)
  }

  /** Creates the device, or replaces its writable members when it exists. */
  async put(
    caller: Principal | null,
    id: string,
    input: DeviceInput,
    ifMatch?: string,
    options: { keepOrganizations?: boolean } = {},
  ): Promise<DeviceView> {
    if (!isDeviceId(id)) throw unprocessable(`deviceId: ${invalidDeviceId(id)}`)
    return this.write(caller, id, 'put', ifMatch, input, (current) => ({
      displayName: input.displayName ?? id,
      template: input.template ?? null,
      enabled: input.enabled ?? true,
      simulated: input.simulated ?? false,
      organizations:
        options.keepOrganizations && current?.organization_id
          ? [current.organization_id]
          : (input.organizations ?? []),
      provisioned: current?.provisioned === 1,
    }))
  }

  /** Applies a JSON merge patch to an existing device. */
  async patch(
    caller: Principal | null,
    id: string,
    patch: DeviceInput,
    ifMatch?: string,
  ): Promise<DeviceView> {
    return this.write(caller, id, 'patch', ifMatch, patch, (current) => {
      if (!current) throw notFound(`The device '${id}'`)
      const organizations =
        patch.organizations === undefined
          ? current.organization_id === null
            ? []
            : [current.organization_id]
          : (patch.organizations ?? [])
      return {
        displayName: patch.displayName === undefined ? current.display_name : (patch.displayName ?? id),
        template: patch.template === undefined ? current.template : patch.template,
        enabled: patch.enabled === undefined ? current.enabled === 1 : (patch.enabled ?? true),
        simulated: patch.simulated === undefined ? current.simulated === 1 : (patch.simulated ?? false),
        organizations,
        provisioned: current.provisioned === 1,
      }
    })
  }

  async delete(caller: Principal | null, id: string, ifMatch?: string): Promise<void> {
    const reach = await this.organizations.reachOf(caller)
    await this.store.db.transaction().execute(async (trx) => {
      const row = readable(reach, await deviceRepository.get(trx, id))
      if (!row) throw notFound(`The device '${id}'`)
      requireAt(reach, 'devices.delete', row.organization_id)
      checkEtag(expectedEtag(undefined, ifMatch), row.etag, `The device '${id}'`)
      await deviceRelationshipRepository.deleteForDevice(trx, id)
      await deviceRepository.delete(trx, id)
      await deviceAttestationRepository.delete(trx, id)
      await deviceDataRepository.deleteDevice(trx, id)
    })
    await this.store.changes.publish('device', id)
  }

  private async write(
    caller: Principal | null,
    id: string,
    mode: 'put' | 'patch',
    ifMatch: string | undefined,
    input: DeviceInput,
    next: (current: DeviceRow | undefined) => {
      displayName: string
      template: string | null
      enabled: boolean
      simulated: boolean
      organizations: string[]
      provisioned: boolean
    },
  ): Promise<DeviceView> {
    if (input.id !== undefined && input.id !== id) {
      throw unprocessable(`id: is read-only and must be '${id}', the id in the path.`)
    }
    const now = Math.floor(this.clock() / 1000)
    const reach = await this.organizations.reachOf(caller)
    const written = await retryLostCreate(this.store.db, async (trx) => {
      const stored = await deviceRepository.getForUpdate(trx, id)
      const current = readable(reach, stored)
      if (!current && mode === 'patch') throw notFound(`The device '${id}'`)
      if (stored && !current) {
        // Ids are unique application-wide: this one is taken, by a device out of the caller's reach.
        throw conflict(`The device id '${id}' is already taken; choose another.`)
      }
      const needed = current ? 'devices.update' : 'devices.create'
      if (caller && !caller.permissions.has(needed)) {
        throw forbidden(`You do not have permission to do this: it needs ${needed}.`)
      }
      const expected = expectedEtag(input.etag, ifMatch)
      // A body etag on a new device is tolerated (clients resend what they read); If-Match is not.
      if (current || ifMatch) checkEtag(expected, current?.etag ?? null, `The device '${id}'`)
      const values = next(current)
      if (input.provisioned !== undefined && input.provisioned !== values.provisioned) {
        throw unprocessable(`provisioned: is read-only (it is ${values.provisioned}).`)
      }
      await checkTemplate(trx, values.template)
      const organization = checkOrganization(reach, values.organizations)
      if (current) {
        requireAt(reach, 'devices.update', current.organization_id)
        if (organization !== current.organization_id) requireAt(reach, 'devices.update', organization)
      } else {
        requireAt(reach, 'devices.create', organization)
      }
      const row: DeviceRow = {
        id,
        display_name: values.displayName,
        template: values.template,
        enabled: values.enabled ? 1 : 0,
        provisioned: values.provisioned ? 1 : 0,
        simulated: values.simulated ? 1 : 0,
        organization_id: organization,
        etag: newEtag(),
        created_at: current?.created_at ?? now,
        updated_at: now,
      }
      await insertOrUpdateRead(
        current?.etag,
        { insert: () => deviceRepository.insert(trx, row), update: (etag) => deviceRepository.update(trx, row, etag) },
        `The device '${id}'`,
      )
      return row
    }, `The device '${id}' was created concurrently; retry.`)
    // A disabled device's sessions end at once, on every node.
    if (written.enabled === 0) await this.store.changes.publish('device', id)
    return toView(written)
  }
}

/** The device, when it exists and the caller may see it; a device without organization is the root's. */
function readable(reach: Reach, row: DeviceRow | undefined): DeviceRow | undefined {
  return row && reach.includes('devices.read', row.organization_id) ? row : undefined
}

/** The view of a device read by `get`; not found when absent or out of reach. */
function viewWithin(reach: Reach, id: string, row: DeviceRow | undefined): DeviceView {
  const seen = readable(reach, row)
  if (!seen) throw notFound(`The device '${id}'`)
  return toView(seen)
}

async function checkTemplate(trx: Executor, template: string | null): Promise<void> {
  if (template !== null && !(await deviceTemplateRepository.exists(trx, template))) {
    throw unprocessable(`template: the device template '${template}' does not exist.`)
  }
}

/** The device's organization (`null`: the root); one the caller cannot see does not exist. */
function checkOrganization(reach: Reach, organizations: string[]): string | null {
  if (organizations.length > 1) {
    throw unprocessable('organizations: a device belongs to at most one organization.')
  }
  const [organization] = organizations
  if (organization === undefined) return null
  if (!reach.sees(organization)) {
    throw unprocessable(`organizations: the organization '${organization}' does not exist.`)
  }
  return organization
}

export function toView(row: DeviceRow): DeviceView {
  const view: DeviceView = {
    id: row.id,
    etag: row.etag,
    displayName: row.display_name,
    enabled: row.enabled === 1,
    provisioned: row.provisioned === 1,
    simulated: row.simulated === 1,
  }
  if (row.template !== null) view.template = row.template
  if (row.organization_id !== null) view.organizations = [row.organization_id]
  return view
}
