import type { Principal } from '../auth/principal.js'
import { notFound, unprocessable } from '../errors/app-error.js'
import { deviceDataRepository } from '../storage/repositories/device-data.repository.js'
import type { Executor } from '../storage/repositories/executor.js'
import type { Store } from '../storage/store.js'
import type { DevicePropertyRow } from '../storage/tables/device-data.js'
import type { Clock } from '../clock.js'
import {
  schemaMismatch,
  type InterfaceCapabilities,
  type PropertyCapability,
  type UnitCapabilities,
} from './device-capabilities.js'
import {
  deviceFor,
  interfaceFor,
  loadDevice,
  unitFor,
  type DataTarget,
  type DeviceContext,
} from './device-data-access.js'
import type { OrganizationCatalog } from './organization-catalog.js'

/** The properties of one interface, or of a device or module with its components wrapped. */
export type PropertiesView = Record<string, unknown>

/**
 * A change of a device's (or module's) desired properties, in IoT Hub's twin form: root
 * properties by name, a component's as `{"__t": "c", …}`, `null` for a property no longer asked.
 */
export interface DesiredPropertiesChange {
  deviceId: string
  /** null: the device itself. */
  module: string | null
  /** The desired document's version after the change (the `$version` a device acknowledges). */
  version: number
  patch: Record<string, unknown>
}

export type DesiredPropertiesListener = (change: DesiredPropertiesChange) => void

/** A device's (or module's) desired-properties document as it is now. */
export interface DesiredDocument {
  version: number
  desired: Record<string, unknown>
}

export type PropertyWriteMode = 'replace' | 'merge'

/** `{"value": …, "ac": …, "av": …, "ad": …}`: how a device acknowledges a writable property. */
interface Acknowledgement {
  value: unknown
  ac: number
  av?: number
  ad?: string
}

const COMPONENT_MARKER = '__t'
const METADATA = '$metadata'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isAcknowledgement = (value: unknown): value is Acknowledgement =>
  isObject(value) && 'value' in value && typeof value.ac === 'number'

interface Entry {
  component: string | null
  property: PropertyCapability
  /** null: no longer set (a cloud property cleared, a desired value withdrawn) */
  value: unknown
}

/**
 * Device properties: cloud properties (stored here, final at once), the desired values of
 * writable properties (with the desired version they were asked at), and the values and
 * acknowledgements a device reports (written by the device side through `applyReported`).
 */
export class DevicePropertyService {
  private readonly listeners = new Set<DesiredPropertiesListener>()

  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly clock: Clock,
  ) {}

  /**
   * Calls `listener` after each committed change of desired properties (the device side sends it
   * to a connected device). Answers the function that stops the calls.
   */
  onDesiredPropertiesChange(listener: DesiredPropertiesListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The properties of the target, as GET answers them; never-set properties are left out. */
  async get(caller: Principal | null, deviceId: string, target: DataTarget): Promise<PropertiesView> {
    const context = await deviceFor(this.store.db, this.organizations, caller, deviceId, 'devices.read')
    return this.view(this.store.db, context, target, null)
  }

  /**
   * Writes cloud properties and desired values of writable properties: `replace` (PUT) clears
   * those of the target left out of the body, `merge` (PATCH) keeps them. Everything is checked
   * before anything is written; answers the written properties as they now are.
   */
  async write(
    caller: Principal | null,
    deviceId: string,
    target: DataTarget,
    body: Record<string, unknown>,
    mode: PropertyWriteMode,
  ): Promise<PropertiesView> {
    const { result, change } = await this.store.db.transaction().execute(async (trx) => {
      const context = await deviceFor(trx, this.organizations, caller, deviceId, 'devices.update')
      const entries = parseBody(context, target, body)
      if (mode === 'replace') entries.push(...clearedBy(context, target, entries))
      const change = await this.apply(trx, context, target.module, entries)
      const written = new Set(
        entries.filter((e) => e.value !== null).map((e) => `${e.component ?? ''}/${e.property.name}`),
      )
      return { result: await this.view(trx, context, target, written), change }
    })
    if (change) this.emit(change)
    return result
  }

  /**
   * Sets cloud properties of the device (`component` null: its root interface) on the system's
   * behalf, with no caller checks: each name must be a cloud property there and each value match
   * its schema (422 naming the property), the device must exist (404). Nothing is written unless
   * everything is valid.
   */
  async writeCloudProperties(
    deviceId: string,
    component: string | null,
    values: Record<string, unknown>,
  ): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const context = await loadDevice(trx, deviceId)
      if (!context) throw notFound(`The device '${deviceId}'`)
      const unit = context.capabilities.device
      const capabilities = component === null ? unit.root : unit.components.get(component)
      const prefix = component === null ? '' : `${component}.`
      if (!capabilities) {
        const [first] = Object.keys(values)
        throw unprocessable(
          `${first === undefined ? 'component' : prefix + first}: the device template declares no component '${component}'.`,
        )
      }
      const entries: Entry[] = []
      for (const [name, value] of Object.entries(values)) {
        const property = capabilities.properties.get(name)
        if (!property || !property.cloud) {
          throw unprocessable(`${prefix}${name}: is not a cloud property of the device template.`)
        }
        entries.push(checkedEntry(component, property, value))
      }
      await this.apply(trx, context, null, entries)
    })
  }

  /**
   * Records what a device (or module) reports, in IoT Hub's twin form: a component's properties
   * wrapped as `{"__t": "c", …}`, a writable property's acknowledgement as
   * `{"value", "ac", "av", "ad"}`, `null` to remove a value. For the device side; no caller checks.
   */
  async applyReported(
    deviceId: string,
    module: string | null,
    reported: Record<string, unknown>,
    at: number = this.clock(),
  ): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const context = await loadDevice(trx, deviceId)
      if (!context) throw notFound(`The device '${deviceId}'`)
      const rows = await this.rows(trx, deviceId, module)
      const report = async (component: string | null, name: string, value: unknown) => {
        const row = rows.get(`${component ?? ''}/${name}`) ?? emptyRow(deviceId, module, component, name)
        if (isAcknowledgement(value)) {
          row.value = JSON.stringify(value.value)
          row.ack_code = value.ac
          row.ack_version = value.av ?? null
          row.ack_description = value.ad ?? null
        } else {
          row.value = value === null ? null : JSON.stringify(value)
        }
        row.value_time = at
        await deviceDataRepository.upsertProperty(trx, row)
      }
      for (const [key, value] of Object.entries(reported)) {
        if (key.startsWith('$')) continue
        if (isObject(value) && value[COMPONENT_MARKER] === 'c') {
          for (const [name, inner] of Object.entries(value)) {
            if (name !== COMPONENT_MARKER && !name.startsWith('$')) await report(key, name, inner)
          }
        } else {
          await report(null, key, value)
        }
      }
    })
  }

  /** The desired properties of a device or module now, in twin form (what a device reads). */
  async desiredDocument(deviceId: string, module: string | null): Promise<DesiredDocument> {
    const db = this.store.db
    const context = await loadDevice(db, deviceId)
    if (!context) throw notFound(`The device '${deviceId}'`)
    const version = await deviceDataRepository.desiredVersion(db, deviceId, module ?? '')
    const desired: Record<string, unknown> = {}
    for (const row of (await this.rows(db, deviceId, module)).values()) {
      if (row.desired_value === null) continue
      const value = JSON.parse(row.desired_value) as unknown
      if (row.component === '') desired[row.name] = value
      else {
        const wrapped = (desired[row.component] ??= { [COMPONENT_MARKER]: 'c' }) as Record<string, unknown>
        wrapped[row.name] = value
      }
    }
    return { version, desired }
  }

  private async rows(db: Executor, deviceId: string, module: string | null) {
    const rows = await deviceDataRepository.properties(db, deviceId, module ?? '')
    return new Map(rows.map((row) => [`${row.component}/${row.name}`, row]))
  }

  /** Writes the entries (one unit); answers the desired change to announce, if any. */
  private async apply(
    trx: Executor,
    context: DeviceContext,
    module: string | null,
    given: Entry[],
  ): Promise<DesiredPropertiesChange | null> {
    const deviceId = context.device.id
    const rows = await this.rows(trx, deviceId, module)
    const now = this.clock()
    // Clearing what is not set changes nothing (and asks nothing of the device).
    const entries = given.filter((entry) => {
      if (entry.value !== null) return true
      const row = rows.get(`${entry.component ?? ''}/${entry.property.name}`)
      return row !== undefined && (entry.property.cloud ? row.value : row.desired_value) !== null
    })
    const desired = entries.filter((entry) => !entry.property.cloud)
    const version =
      desired.length > 0 ? await deviceDataRepository.nextDesiredVersion(trx, deviceId, module ?? '') : 0
    const patch: Record<string, unknown> = {}
    for (const entry of entries) {
      const key = `${entry.component ?? ''}/${entry.property.name}`
      const row = rows.get(key) ?? emptyRow(deviceId, module, entry.component, entry.property.name)
      const json = entry.value === null ? null : JSON.stringify(entry.value)
      if (entry.property.cloud) {
        row.value = json
        row.value_time = json === null ? null : now
      } else {
        row.desired_value = json
        row.desired_version = version
        if (entry.component === null) patch[entry.property.name] = entry.value
        else {
          const wrapped = (patch[entry.component] ??= { [COMPONENT_MARKER]: 'c' }) as Record<string, unknown>
          wrapped[entry.property.name] = entry.value
        }
      }
      rows.set(key, row)
      await deviceDataRepository.upsertProperty(trx, row)
    }
    return desired.length > 0 ? { deviceId, module, version, patch } : null
  }

  private emit(change: DesiredPropertiesChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch {
        // A listener's failure must not fail the write that already committed.
      }
    }
  }

  /** The target's properties; `only` limits them to `component/name` keys (a write's answer). */
  private async view(
    db: Executor,
    context: DeviceContext,
    target: DataTarget,
    only: Set<string> | null,
  ): Promise<PropertiesView> {
    const unit = unitFor(context, target.module)
    const capabilities = interfaceFor(context, target)
    const rows = await this.rows(db, context.device.id, target.module)
    if (target.component !== null) {
      return interfaceView(rows, target.component, capabilities, only)
    }
    const view = interfaceView(rows, null, unit.root, only)
    for (const [name, component] of unit.components) {
      const inner = interfaceView(rows, name, component, only)
      if (Object.keys(inner).length > 0) view[name] = { [COMPONENT_MARKER]: 'c', ...inner }
    }
    return view
  }
}

function emptyRow(
  deviceId: string,
  module: string | null,
  component: string | null,
  name: string,
): DevicePropertyRow {
  return {
    device_id: deviceId,
    module: module ?? '',
    component: component ?? '',
    name,
    value: null,
    value_time: null,
    desired_value: null,
    desired_version: null,
    ack_code: null,
    ack_version: null,
    ack_description: null,
  }
}

/** The values and `$metadata` of one interface's properties that have ever been set. */
function interfaceView(
  rows: Map<string, DevicePropertyRow>,
  component: string | null,
  capabilities: InterfaceCapabilities,
  only: Set<string> | null,
): PropertiesView {
  const view: PropertiesView = {}
  const metadata: Record<string, Record<string, unknown>> = {}
  for (const name of capabilities.properties.keys()) {
    const key = `${component ?? ''}/${name}`
    if (only && !only.has(key)) continue
    const row = rows.get(key)
    if (!row || (row.value === null && row.desired_value === null)) continue
    const meta: Record<string, unknown> = {}
    if (row.value !== null) view[name] = JSON.parse(row.value)
    if (row.desired_value !== null) {
      meta.desiredValue = JSON.parse(row.desired_value)
      if (row.desired_version !== null) meta.desiredVersion = Number(row.desired_version)
    }
    if (row.ack_code !== null) meta.ackCode = row.ack_code
    if (row.ack_version !== null) meta.ackVersion = Number(row.ack_version)
    if (row.ack_description !== null) meta.ackDescription = row.ack_description
    if (row.value !== null && row.value_time !== null) {
      meta.lastUpdateTime = new Date(Number(row.value_time)).toISOString()
    }
    metadata[name] = meta
  }
  if (Object.keys(metadata).length > 0) view[METADATA] = metadata
  return view
}

/** A writable property's new value, checked against its schema (`null` clears it). */
function checkedEntry(component: string | null, property: PropertyCapability, value: unknown): Entry {
  const label = component === null ? property.name : `${component}.${property.name}`
  if (!property.writable) {
    throw unprocessable(`${label}: is read-only; only the device reports it.`)
  }
  if (value !== null) {
    const why = schemaMismatch(property.schema, value)
    if (why) throw unprocessable(`${label}: ${why}.`)
  }
  return { component, property, value }
}

function interfaceEntries(
  component: string | null,
  capabilities: InterfaceCapabilities,
  body: Record<string, unknown>,
): Entry[] {
  const entries: Entry[] = []
  for (const [name, value] of Object.entries(body)) {
    // Tolerated as clients resend what they read: the markers are not properties.
    if (name === METADATA || name === COMPONENT_MARKER) continue
    const property = capabilities.properties.get(name)
    if (!property) {
      const label = component === null ? name : `${component}.${name}`
      throw unprocessable(`${label}: is not a property of the device template.`)
    }
    entries.push(checkedEntry(component, property, value))
  }
  return entries
}

/** The body's entries, each checked; 422 naming the first property that cannot be written. */
function parseBody(context: DeviceContext, target: DataTarget, body: Record<string, unknown>): Entry[] {
  const unit = unitFor(context, target.module)
  if (target.component !== null) {
    return interfaceEntries(target.component, interfaceFor(context, target), body)
  }
  const root: Record<string, unknown> = {}
  const entries: Entry[] = []
  for (const [key, value] of Object.entries(body)) {
    const component = unit.components.get(key)
    if (component && !unit.root.properties.has(key)) {
      if (value === null) {
        entries.push(...clearComponent(key, component))
        continue
      }
      if (!isObject(value)) throw unprocessable(`${key}: a component's properties must be an object.`)
      entries.push(...interfaceEntries(key, component, value))
    } else {
      root[key] = value
    }
  }
  return [...interfaceEntries(null, unit.root, root), ...entries]
}

function clearComponent(name: string, component: InterfaceCapabilities): Entry[] {
  return [...component.properties.values()]
    .filter((property) => property.writable)
    .map((property) => ({ component: name, property, value: null }))
}

/** What a PUT clears: the target's writable properties its body leaves out. */
function clearedBy(context: DeviceContext, target: DataTarget, entries: Entry[]): Entry[] {
  const given = new Set(entries.map((e) => `${e.component ?? ''}/${e.property.name}`))
  const unit: UnitCapabilities = unitFor(context, target.module)
  const scopes: [string | null, InterfaceCapabilities][] =
    target.component !== null
      ? [[target.component, interfaceFor(context, target)]]
      : [[null, unit.root], ...unit.components.entries()]
  const cleared: Entry[] = []
  for (const [component, capabilities] of scopes) {
    for (const property of capabilities.properties.values()) {
      if (property.writable && !given.has(`${component ?? ''}/${property.name}`)) {
        cleared.push({ component, property, value: null })
      }
    }
  }
  return cleared
}
