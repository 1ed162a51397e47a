/**
 * What a device template declares, as the device-data operations need it: per module and
 * component, the properties (writable, cloud), telemetry and commands with their DTDL schemas.
 *
 * A capability model is a DTDL Interface whose `contents` hold properties, telemetry, commands,
 * components (an inline interface or the `@id` of one defined elsewhere in the document) and, in
 * IoT Edge templates, `EdgeModule` relationships whose `target` is the module's own interface.
 * `extends` adds the contents of other interfaces. Schemas may also name, by `@id`, a schema
 * defined elsewhere in the document.
 */

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

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const typesOf = (node: Node): string[] => {
  const type = node['@type']
  if (typeof type === 'string') return [type]
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string')
  return []
}

const asList = (value: unknown): unknown[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]

/** Capabilities of the template document (`capabilityModel` inside a device template). */
export function readCapabilities(template: Node): Capabilities {
  const model = template.capabilityModel
  const byId = new Map<string, Node>()
  collectIds(template, byId)
  const resolve = (value: unknown): Node | undefined =>
    isNode(value) ? value : typeof value === 'string' ? byId.get(value) : undefined

  const empty = (): InterfaceCapabilities => ({
    properties: new Map(),
    telemetry: new Map(),
    commands: new Map(),
  })

  /** Every content of an interface, its `extends` included (each interface once). */
  const contentsOf = (iface: Node, seen: Set<Node>): Node[] => {
    if (seen.has(iface)) return []
    seen.add(iface)
    const own = asList(iface.contents).filter(isNode)
    const inherited = asList(iface.extends).flatMap((parent) => {
      const node = resolve(parent)
      return node ? contentsOf(node, seen) : []
    })
    return [...inherited, ...own]
  }

  const readInterface = (iface: Node, into: InterfaceCapabilities, unit?: UnitCapabilities) => {
    for (const content of contentsOf(iface, new Set())) {
      const types = typesOf(content)
      const name = typeof content.name === 'string' ? content.name : undefined
      if (name === undefined) continue
      if (types.includes('Property')) {
        const cloud = types.includes('Cloud')
        into.properties.set(name, {
          name,
          cloud,
          writable: cloud || content.writable === true,
          schema: resolveSchema(content.schema),
        })
      } else if (types.includes('Telemetry')) {
        into.telemetry.set(name, resolveSchema(content.schema))
      } else if (types.includes('Command')) {
        const request = isNode(content.request) ? content.request : undefined
        into.commands.set(name, {
          name,
          request: request === undefined ? undefined : resolveSchema(request.schema),
        })
      } else if (types.includes('Component') && unit) {
        const schema = resolve(content.schema)
        const component = empty()
        if (schema) readInterface(schema, component)
        unit.components.set(name, component)
      } else if (
        types.includes('Relationship') &&
        (types.includes('EdgeModule') || types.includes('SemanticType/EdgeModule')) &&
        unit === device
      ) {
        const moduleUnit: UnitCapabilities = { root: empty(), components: new Map() }
        for (const target of asList(content.target)) {
          const node = resolve(target)
          if (node) readInterface(node, moduleUnit.root, moduleUnit)
        }
        modules.set(name, moduleUnit)
      }
    }
  }

  const resolveSchema = (schema: unknown): Json =>
    typeof schema === 'string' && byId.has(schema) ? byId.get(schema) : schema

  const device: UnitCapabilities = { root: empty(), components: new Map() }
  const modules = new Map<string, UnitCapabilities>()
  const root = resolve(model)
  if (root) readInterface(root, device.root, device)
  return { device, modules }
}

function collectIds(value: unknown, into: Map<string, Node>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectIds(item, into)
  } else if (isNode(value)) {
    if (typeof value['@id'] === 'string' && !into.has(value['@id'])) into.set(value['@id'], value)
    for (const child of Object.values(value)) collectIds(child, into)
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
        return isNode(value) && isNumber(value.lat) && isNumber(value.lon)
          ? null
          : 'expected a geopoint {lat, lon}'
      case 'vector':
        return isNode(value) && isNumber(value.x) && isNumber(value.y) && isNumber(value.z)
          ? null
          : 'expected a vector {x, y, z}'
      default:
        return null
    }
  }
  if (!isNode(schema)) return null
  const types = typesOf(schema)
  if (types.includes('Enum')) {
    const allowed = asList(schema.enumValues)
      .filter(isNode)
      .map((entry) => entry.enumValue)
    if (allowed.length > 0 && !allowed.some((entry) => entry === value)) {
      return `expected one of ${allowed.map((entry) => JSON.stringify(entry)).join(', ')}`
    }
    return schemaMismatch(schema.valueSchema, value, depth + 1)
  }
  if (types.includes('Object')) {
    if (!isNode(value)) return 'expected an object'
    const fields = new Map(
      asList(schema.fields)
        .filter(isNode)
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
    if (!isNode(value)) return 'expected an object (a map)'
    const valueSchema = isNode(schema.mapValue) ? schema.mapValue.schema : undefined
    for (const [key, item] of Object.entries(value)) {
      const why = schemaMismatch(valueSchema, item, depth + 1)
      if (why) return `${key}: ${why}`
    }
    return null
  }
  return null
}
