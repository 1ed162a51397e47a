import type { Principal } from '../auth/principal.js'
import type { Reach } from '../authz/reach.js'
import type { Clock } from '../clock.js'
import {
  declarationAllows,
  readTemplateModel,
  relationshipDeclarations,
} from '../device-models/capability-model.js'
import { conflict, notFound, unprocessable } from '../errors/app-error.js'
import { retryLostCreate } from './retry-lost-create.js'
import { deviceRelationshipRepository } from '../storage/repositories/device-relationship.repository.js'
import { deviceTemplateRepository } from '../storage/repositories/device-template.repository.js'
import { deviceRepository } from '../storage/repositories/device.repository.js'
import type { Executor } from '../storage/repositories/executor.js'
import type { DeviceRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import type { DeviceRelationshipRow } from '../storage/tables/device-relationships.js'
import { DEVICE_ID_PATTERN } from './device.service.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { readPage, type Page, type PageRequest } from './paging.js'
import { requireAt } from './scope-checks.js'

export interface DeviceRelationshipView {
  id: string
  source: string
  target: string
}

/** A PUT body or merge patch: `id` is read-only; `source` is the gateway, `target` the downstream device. */
export interface DeviceRelationshipInput {
  id?: unknown
  source?: string | null
  target?: string | null
}

/** Relationship ids: the device id alphabet (a GUID fits). */
export const RELATIONSHIP_ID_PATTERN = DEVICE_ID_PATTERN
const ID = new RegExp(RELATIONSHIP_ID_PATTERN)

/**
 * Relationships between a gateway (`source`) and its downstream devices (`target`), one level.
 * A relationship is reached through either of its devices, and only when both are within the
 * caller's reach (`devices.read` to see it, `devices.update` at both ends to change it). It is
 * allowed when the source device's template declares a (non-IoT Edge) `Relationship`, at its root
 * or in a component, whose `target` names the target device's template or its capability model
 * (no target: any device); the first such declaration's `name` is stored with it.
 */
export class DeviceRelationshipService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly clock: Clock,
  ) {}

  /** The relationships `deviceId` is either end of, whose other end the caller also sees. */
  async list(
    caller: Principal | null,
    deviceId: string,
    page: PageRequest,
  ): Promise<Page<DeviceRelationshipView>> {
    const reach = await this.organizations.reachOf(caller)
    await this.device(this.store.db, reach, deviceId)
    const scope = reach.scope('devices.read')
    const within = scope.application ? null : [...scope.organizations]
    return readPage(
      page,
      (after, limit) => deviceRelationshipRepository.pageForDevice(this.store.db, deviceId, after, limit, within),
      (rows) => rows.map(toView),
    )
  }

  async get(caller: Principal | null, deviceId: string, id: string): Promise<DeviceRelationshipView> {
    const reach = await this.organizations.reachOf(caller)
    const { row } = await this.visible(this.store.db, reach, deviceId, id)
    return toView(row)
  }

  /** Creates the relationship, or replaces its ends; `source` defaults to the device in the path. */
  async put(
    caller: Principal | null,
    deviceId: string,
    id: string,
    input: DeviceRelationshipInput,
  ): Promise<DeviceRelationshipView> {
    if (!ID.test(id)) {
      throw unprocessable(
        `relationshipId: '${id}' is not a valid relationship id (1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit).`,
      )
    }
    readOnlyId(input, id)
    if (input.target === undefined || input.target === null) throw unprocessable('target: is required.')
    const reach = await this.organizations.reachOf(caller)
    return this.write(async (trx) => {
      await this.device(trx, reach, deviceId)
      const stored = await deviceRelationshipRepository.getForUpdate(trx, id)
      let current: DeviceRelationshipRow | undefined
      if (stored) {
        current = await this.visibleRow(trx, reach, deviceId, stored)
        // Ids are unique application-wide: this one relates other devices, or some out of reach.
        if (!current) throw conflict(`The relationship id '${id}' is already taken; choose another.`)
      }
      return this.save(trx, reach, deviceId, id, current, input.source ?? deviceId, input.target as string)
    })
  }

  /** Applies a JSON merge patch (`source`, `target`) to an existing relationship. */
  async patch(
    caller: Principal | null,
    deviceId: string,
    id: string,
    patch: DeviceRelationshipInput,
  ): Promise<DeviceRelationshipView> {
    readOnlyId(patch, id)
    for (const member of ['source', 'target'] as const) {
      if (patch[member] === null) throw unprocessable(`${member}: is required and cannot be removed.`)
    }
    const reach = await this.organizations.reachOf(caller)
    return this.write(async (trx) => {
      const { row } = await this.visible(trx, reach, deviceId, id, { lock: true })
      return this.save(trx, reach, deviceId, id, row, patch.source ?? row.source_id, patch.target ?? row.target_id)
    })
  }

  async delete(caller: Principal | null, deviceId: string, id: string): Promise<void> {
    const reach = await this.organizations.reachOf(caller)
    await this.store.db.transaction().execute(async (trx) => {
      const { source, target } = await this.visible(trx, reach, deviceId, id)
      requireAt(reach, 'devices.update', source.organization_id)
      requireAt(reach, 'devices.update', target.organization_id)
      await deviceRelationshipRepository.delete(trx, id)
    })
  }

  private async write(
    work: (trx: Executor) => Promise<DeviceRelationshipRow>,
  ): Promise<DeviceRelationshipView> {
    const row = await retryLostCreate(this.store.db, work, 'The relationship was created concurrently; retry.')
    return toView(row)
  }

  /** Checks the new ends fully, then writes; `current` is the relationship being replaced, if any. */
  private async save(
    trx: Executor,
    reach: Reach,
    deviceId: string,
    id: string,
    current: DeviceRelationshipRow | undefined,
    sourceId: string,
    targetId: string,
  ): Promise<DeviceRelationshipRow> {
    if (sourceId !== deviceId && targetId !== deviceId) {
      throw unprocessable(`source: one end of the relationship must be the device '${deviceId}' in the path.`)
    }
    if (sourceId === targetId) throw unprocessable('target: a device cannot relate to itself.')
    const source = await this.end(trx, reach, 'source', sourceId)
    const target = await this.end(trx, reach, 'target', targetId)
    for (const device of [source, target]) requireAt(reach, 'devices.update', device.organization_id)
    if (current) {
      // Moving a relationship away from a device changes that device too.
      for (const end of [current.source_id, current.target_id]) {
        if (end !== sourceId && end !== targetId) {
          const old = await deviceRepository.get(trx, end)
          if (old) requireAt(reach, 'devices.update', old.organization_id)
        }
      }
    }
    const name = await declarationFor(trx, source, target)
    const pair = await deviceRelationshipRepository.findPair(trx, sourceId, targetId)
    if (pair && pair.id !== id) {
      throw conflict(`The devices '${sourceId}' and '${targetId}' are already related by '${pair.id}'.`)
    }
    const now = Math.floor(this.clock() / 1000)
    const row: DeviceRelationshipRow = {
      id,
      source_id: sourceId,
      target_id: targetId,
      name,
      created_at: current?.created_at ?? now,
      updated_at: now,
    }
    if (current) await deviceRelationshipRepository.update(trx, row)
    else await deviceRelationshipRepository.insert(trx, row)
    return row
  }

  /** The device in the path: 404 unless it exists within the caller's reach. */
  private async device(db: Executor, reach: Reach, id: string): Promise<DeviceRow> {
    const row = await deviceRepository.get(db, id)
    if (!row || !reach.includes('devices.read', row.organization_id)) throw notFound(`The device '${id}'`)
    return row
  }

  /** A device named in the body: 422 unless it exists within the caller's reach. */
  private async end(db: Executor, reach: Reach, member: string, id: string): Promise<DeviceRow> {
    const row = await deviceRepository.get(db, id)
    if (!row || !reach.includes('devices.read', row.organization_id)) {
      throw unprocessable(`${member}: the device '${id}' does not exist.`)
    }
    return row
  }

  /**
   * The relationship as seen through `deviceId`, with its two devices; 404 otherwise. `lock`: it is
   * about to be written in this transaction, so its row is locked until the transaction ends.
   */
  private async visible(
    db: Executor,
    reach: Reach,
    deviceId: string,
    id: string,
    { lock = false } = {},
  ): Promise<{ row: DeviceRelationshipRow; source: DeviceRow; target: DeviceRow }> {
    await this.device(db, reach, deviceId)
    const row = lock
      ? await deviceRelationshipRepository.getForUpdate(db, id)
      : await deviceRelationshipRepository.get(db, id)
    const found = row && (await this.ends(db, reach, deviceId, row))
    if (!row || !found) throw notFound(`The relationship '${id}' of the device '${deviceId}'`)
    return { row, ...found }
  }

  private async visibleRow(
    db: Executor,
    reach: Reach,
    deviceId: string,
    row: DeviceRelationshipRow,
  ): Promise<DeviceRelationshipRow | undefined> {
    return (await this.ends(db, reach, deviceId, row)) ? row : undefined
  }

  /** Both devices, when `deviceId` is one end and the caller sees both. */
  private async ends(
    db: Executor,
    reach: Reach,
    deviceId: string,
    row: DeviceRelationshipRow,
  ): Promise<{ source: DeviceRow; target: DeviceRow } | undefined> {
    if (row.source_id !== deviceId && row.target_id !== deviceId) return undefined
    const source = await deviceRepository.get(db, row.source_id)
    const target = await deviceRepository.get(db, row.target_id)
    if (!source || !target) return undefined
    if (!reach.includes('devices.read', source.organization_id)) return undefined
    if (!reach.includes('devices.read', target.organization_id)) return undefined
    return { source, target }
  }
}

/** The name of the source template's first Relationship declaration allowing the target; 422 if none. */
async function declarationFor(db: Executor, source: DeviceRow, target: DeviceRow): Promise<string> {
  if (source.template === null) {
    throw unprocessable(`source: the device '${source.id}' has no template, so it declares no relationships.`)
  }
  const template = await deviceTemplateRepository.get(db, source.template)
  const declarations = template ? relationshipDeclarations(readTemplateModel(JSON.parse(template.document))) : []
  const targetIds: string[] = []
  if (target.template !== null) {
    targetIds.push(target.template)
    const targetTemplate = await deviceTemplateRepository.get(db, target.template)
    const model = targetTemplate ? (JSON.parse(targetTemplate.document) as { capabilityModel?: unknown }).capabilityModel : undefined
    const modelId = model && typeof model === 'object' ? (model as Record<string, unknown>)['@id'] : undefined
    if (typeof modelId === 'string') targetIds.push(modelId)
  }
  const allowing = declarations.find((declaration) => declarationAllows(declaration, targetIds))
  if (!allowing) {
    const what = target.template === null ? 'devices without a template' : `devices of the template '${target.template}'`
    throw unprocessable(
      `target: the template '${source.template}' of the device '${source.id}' declares no relationship to ${what}.`,
    )
  }
  return allowing.name
}

function readOnlyId(input: DeviceRelationshipInput, id: string): void {
  if (input.id !== undefined && input.id !== id) {
    throw unprocessable(`id: is read-only and must be '${id}', the id in the path.`)
  }
}

function toView(row: DeviceRelationshipRow): DeviceRelationshipView {
  return { id: row.id, source: row.source_id, target: row.target_id }
}
