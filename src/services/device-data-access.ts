import type { Principal } from '../auth/principal.js'
import type { Permission } from '../authz/permissions.js'
import { notFound } from '../errors/app-error.js'
import { deviceTemplateRepository } from '../storage/repositories/device-template.repository.js'
import { deviceRepository } from '../storage/repositories/device.repository.js'
import type { Executor } from '../storage/repositories/executor.js'
import type { DeviceRow } from '../storage/schema.js'
import {
  readCapabilities,
  unitOf,
  type Capabilities,
  type InterfaceCapabilities,
  type UnitCapabilities,
} from './device-capabilities.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { requireAt } from './scope-checks.js'

/** Where device data lives: the device itself or one of its modules, and maybe a component. */
export interface DataTarget {
  module: string | null
  component: string | null
}

export const DEVICE_ROOT: DataTarget = { module: null, component: null }

export interface DeviceContext {
  device: DeviceRow
  capabilities: Capabilities
}

const NO_CAPABILITIES = (): Capabilities => ({
  device: {
    root: { properties: new Map(), telemetry: new Map(), commands: new Map() },
    components: new Map(),
  },
  modules: new Map(),
})

/** The device and its template's capabilities; 404 for an unknown device. */
export async function loadDevice(db: Executor, deviceId: string): Promise<DeviceContext | undefined> {
  const device = await deviceRepository.get(db, deviceId)
  if (!device) return undefined
  if (device.template === null) return { device, capabilities: NO_CAPABILITIES() }
  const template = await deviceTemplateRepository.get(db, device.template)
  if (!template) return { device, capabilities: NO_CAPABILITIES() }
  return {
    device,
    capabilities: readCapabilities(JSON.parse(template.document) as Record<string, unknown>),
  }
}

/**
 * The device as the caller may use it: 404 when it does not exist or lies out of the caller's
 * reach (as for devices.read), 403 when `permission` is not held where it lies.
 */
export async function deviceFor(
  db: Executor,
  organizations: OrganizationCatalog,
  caller: Principal | null,
  deviceId: string,
  permission: Permission,
): Promise<DeviceContext> {
  const reach = await organizations.reachOf(caller)
  const context = await loadDevice(db, deviceId)
  if (!context || !reach.includes('devices.read', context.device.organization_id)) {
    throw notFound(`The device '${deviceId}'`)
  }
  requireAt(reach, permission, context.device.organization_id)
  return context
}

/** The device's or module's capabilities; 404 for a module the template does not declare. */
export function unitFor(context: DeviceContext, module: string | null): UnitCapabilities {
  const unit = unitOf(context.capabilities, module)
  if (!unit) throw notFound(`The module '${module}' of the device '${context.device.id}'`)
  return unit
}

/** The interface a target names; 404 for a module or component the template does not declare. */
export function interfaceFor(context: DeviceContext, target: DataTarget): InterfaceCapabilities {
  const unit = unitFor(context, target.module)
  if (target.component === null) return unit.root
  const component = unit.components.get(target.component)
  if (!component) {
    throw notFound(
      `The component '${target.component}' of the ${target.module === null ? '' : `module '${target.module}' of the `}device '${context.device.id}'`,
    )
  }
  return component
}

/** How a target is stored: `''` for no module or no component. */
export const keyOf = (target: DataTarget): { module: string; component: string } => ({
  module: target.module ?? '',
  component: target.component ?? '',
})

/** The target, said in an error message. */
export function describeTarget(deviceId: string, target: DataTarget): string {
  const parts = [`the device '${deviceId}'`]
  if (target.module !== null) parts.unshift(`the module '${target.module}' of`)
  if (target.component !== null) parts.unshift(`the component '${target.component}' of`)
  return parts.join(' ')
}
