import { readTemplateModel, type InterfaceModel, type ModelCapability } from '../../api/capability-model.js'
import type { DeviceTemplate } from '../../api/types.js'

/** A capability of the device's own interface (`component` null) or of one of its components. */
export interface Capability {
  component: string | null
  name: string
  displayName: string
  /** The schema, DTMI references resolved. */
  schema: unknown
}

export interface PropertyCapability extends Capability {
  /** A writable property: the person sets its desired value, the device acknowledges it. */
  writable: boolean
  /** A cloud property: kept by the application only, never sent to the device. */
  cloud: boolean
}

export interface CommandCapability extends Capability {
  /** The schema of the request's payload, when the command takes one. */
  request: unknown
}

export interface DeviceCapabilities {
  properties: PropertyCapability[]
  telemetry: Capability[]
  commands: CommandCapability[]
}

const displayNameOf = (value: unknown, fallback: string): string => {
  if (typeof value === 'string') return value
  if (typeof value === 'object' && value !== null && 'en' in value && typeof value.en === 'string') {
    return value.en
  }
  return fallback
}

const base = (component: string | null, entry: ModelCapability): Capability => ({
  component,
  name: entry.name,
  displayName: displayNameOf(entry.displayName, entry.name),
  schema: entry.schema,
})

/**
 * What a device of this template has: the properties, telemetry and commands of its own interface
 * and of its components. IoT Edge modules are left out: the device page shows the device itself.
 */
export function deviceCapabilities(template: DeviceTemplate | undefined): DeviceCapabilities {
  const found: DeviceCapabilities = { properties: [], telemetry: [], commands: [] }
  if (!template) return found
  const model = readTemplateModel(template)
  const collect = (model: InterfaceModel, component: string | null) => {
    for (const entry of model.properties) {
      found.properties.push({ ...base(component, entry), writable: entry.writable, cloud: entry.cloud })
    }
    for (const entry of model.telemetry) found.telemetry.push(base(component, entry))
    for (const entry of model.commands) {
      found.commands.push({ ...base(component, entry), request: entry.request })
    }
  }
  collect(model, null)
  for (const component of model.components) collect(component.interface, component.name)
  return found
}

/** A capability's label: its name, after its component's when it has one. */
export const capabilityLabel = (capability: Capability) =>
  capability.component === null
    ? capability.displayName
    : `${capability.component} / ${capability.displayName}`

/** The API path of the device, or of the capability's component when it is in one. */
export const capabilityBase = (deviceId: string, capability: Capability) =>
  `/devices/${encodeURIComponent(deviceId)}${
    capability.component === null ? '' : `/components/${encodeURIComponent(capability.component)}`
  }`
