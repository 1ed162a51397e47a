/**
 * What a device template declares, as the device-data operations need it: per module and
 * component, the properties (writable, cloud), telemetry and commands with their DTDL schemas
 * (read by ../device-models/capability-model.ts), and whether a value matches a DTDL schema.
 */
import { isObject, readTemplateModel, typesOf, type InterfaceModel } from '../device-models/capability-model.js'

export type Json = unknown

export interface PropertyCapability {
  name: string
  /** A cloud property: set by operators, never sent to the device, final at once. */
  cloud: boolean
  /** Writable by operators (a writable device property, or a cloud property). */
  writable: boolean
  schema: Json
}

export interface CommandCapability {
  name: string
  /** The request's schema, when the command takes one. */
  request: Json | undefined
}

/** One interface's capabilities: a module's or the device's root, or one of their components. */
export interface InterfaceCapabilities {
  properties: Map<string, PropertyCapability>
  telemetry: Map<string, Json>
  commands: Map<string, CommandCapability>
}

/** A device's or a module's capabilities: its root interface and its components by name. */
export interface UnitCapabilities {
  root: InterfaceCapabilities
  components: Map<string, InterfaceCapabilities>
}

export interface Capabilities {
  device: UnitCapabilities
  modules: Map<string, UnitCapabilities>
}

type Node = Record<string, unknown>

const asList = (value: unknown): unknown[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]

/** One interface's capabilities, from the capability-model reader's view of it. */
function interfaceCapabilities(model: InterfaceModel): InterfaceCapabilities {
  const capabilities: InterfaceCapabilities = {
    properties: new Map(),
    telemetry: new Map(),
    commands: new Map(),
  }
  for (const property of model.properties) {
    capabilities.properties.set(property.name, {
      name: property.name,
      cloud: property.cloud,
      // A cloud property is set by operators whatever its `writable` says.
      writable: property.cloud || property.writable,
      schema: property.schema,
    })
  }
  for (const telemetry of model.telemetry) capabilities.telemetry.set(telemetry.name, telemetry.schema)
  for (const command of model.commands) {
    capabilities.commands.set(command.name, { name: command.name, request: command.request })
  }
  return capabilities
}

function unitCapabilities(model: InterfaceModel): UnitCapabilities {
  return {
    root: interfaceCapabilities(model),
    components: new Map(
      model.components.map((component) => [component.name, interfaceCapabilities(component.interface)]),
    ),
  }
}

/** Capabilities of the template document (`capabilityModel` inside a device template). */
export function readCapabilities(template: Node): Capabilities {
  const model = readTemplateModel(template)
  return {
    device: unitCapabilities(model),
    modules: new Map(model.modules.map((module) => [module.name, unitCapabilities(module.interface)])),
  }
}

/** The unit a request addresses: the device (`module` null) or one of its modules. */
export function unitOf(capabilities: Capabilities, module: string | null): UnitCapabilities | undefined {
  return module === null ? capabilities.device : capabilities.modules.get(module)
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const TIME = /^\d{2}:\d{2}:\d{2}(\.\d+)?$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i
const DURATION = /^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/**
 * Why `value` does not match the DTDL `schema` (null when it does). Unknown schemas accept any
 * value: the template may use a semantic extension this server does not model.
 */
export function schemaMismatch(schema: Json, value: unknown, depth = 0): string | null {
  if (depth > 32) return null
  if (typeof schema === 'string') {
    switch (schema) {
      case 'boolean':
        return typeof value === 'boolean' ? null : 'expected a boolean'
      case 'integer':
      case 'long':
        return Number.isInteger(value) ? null : 'expected an integer'
      case 'double':
      case 'float':
        return isNumber(value) ? null : 'expected a number'
      case 'string':
        return typeof value === 'string' ? null : 'expected a string'
      case 'date':
        return typeof value === 'string' && DATE.test(value) ? null : 'expected a date (YYYY-MM-DD)'
      case 'time':
        return typeof value === 'string' && TIME.test(value) ? null : 'expected a time (hh:mm:ss)'
      case 'dateTime':
        return typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))
          ? null
          : 'expected a date-time (RFC 3339)'
      case 'duration':
        return typeof value === 'string' && DURATION.test(value) ? null : 'expected an ISO 8601 duration'
      case 'geopoint':
      case 'point':
        return isObject(value) && isNumber(value.lat) && isNumber(value.lon)
          ? null
          : 'expected a geopoint {lat, lon}'
      case 'vector':
        return isObject(value) && isNumber(value.x) && isNumber(value.y) && isNumber(value.z)
          ? null
          : 'expected a vector {x, y, z}'
      default:
        return null
    }
  }
  if (!isObject(schema)) return null
  const types = typesOf(schema)
  if (types.includes('Enum')) {
    const allowed = asList(schema.enumValues)
      .filter(isObject)
      .map((entry) => entry.enumValue)
    if (allowed.length > 0 && !allowed.some((entry) => entry === value)) {
      return `expected one of ${allowed.map((entry) => JSON.stringify(entry)).join(', ')}`
    }
    return schemaMismatch(schema.valueSchema, value, depth + 1)
  }
  if (types.includes('Object')) {
    if (!isObject(value)) return 'expected an object'
    const fields = new Map(
      asList(schema.fields)
        .filter(isObject)
        .filter((field) => typeof field.name === 'string')
        .map((field) => [field.name as string, field]),
    )
    for (const [key, item] of Object.entries(value)) {
      const field = fields.get(key)
      if (!field) return `'${key}' is not a field of this object`
      if (item === null) continue
      const why = schemaMismatch(field.schema, item, depth + 1)
      if (why) return `${key}: ${why}`
    }
    return null
  }
  if (types.includes('Array')) {
    if (!Array.isArray(value)) return 'expected an array'
    for (const [index, item] of value.entries()) {
      const why = schemaMismatch(schema.elementSchema, item, depth + 1)
      if (why) return `[${index}]: ${why}`
    }
    return null
  }
  if (types.includes('Map')) {
    if (!isObject(value)) return 'expected an object (a map)'
    const valueSchema = isObject(schema.mapValue) ? schema.mapValue.schema : undefined
    for (const [key, item] of Object.entries(value)) {
      const why = schemaMismatch(valueSchema, item, depth + 1)
      if (why) return `${key}: ${why}`
    }
    return null
  }
  return null
}
