/**
 * Reads a device template's capability model (DTDL v2, as IoT Central stores it) into what the
 * API answers from: components, IoT Edge modules, gateway relationships, properties, telemetry and
 * commands, with component and module nesting. Pure: no storage, no errors thrown for odd input
 * (what cannot be read is left out), so every caller can use it on any stored template.
 *
 * - Interfaces may be inline (`"schema": { "@type": "Interface", … }`) or named by their DTMI and
 *   declared elsewhere in the same document; `extends` is followed the same way.
 * - A `Relationship` whose `@type` holds `EdgeModule` (or `SemanticType/EdgeModule`) is an IoT Edge
 *   module; its `target` (a DTMI, an inline interface, or an array of one) is the module's model.
 *   Any other `Relationship` is a gateway relationship: its `target` (a DTMI or an array of them;
 *   empty or absent: any device) names the templates its downstream devices may have.
 */

export type CapabilityKind = 'Property' | 'Telemetry' | 'Command'

/** A property, telemetry or command of an interface. */
export interface Capability {
  kind: CapabilityKind
  name: string
  '@id'?: string
  /** Every `@type` value, e.g. `['Property', 'Cloud']`. */
  types: string[]
  displayName?: unknown
  /** The schema with DTMI references resolved against the document (properties, telemetry). */
  schema?: unknown
  /** Properties: writable by the cloud (`writable: true`). */
  writable: boolean
  /** Properties: a cloud property (`@type` holds `Cloud`), kept by the application, not the device. */
  cloud: boolean
  /** Commands: the request and response payload schemas, resolved. */
  request?: unknown
  response?: unknown
  /** The declaration as the template holds it. */
  raw: Record<string, unknown>
}

/** A gateway relationship: which templates its downstream devices may have (empty: any). */
export interface RelationshipDeclaration {
  name: string
  '@id'?: string
  displayName?: unknown
  targets: string[]
  raw: Record<string, unknown>
}

/** An interface's contents, read. */
export interface InterfaceModel {
  '@id'?: string
  displayName?: unknown
  properties: Capability[]
  telemetry: Capability[]
  commands: Capability[]
  components: ComponentModel[]
  relationships: RelationshipDeclaration[]
  modules: ModuleModel[]
}

export interface ComponentModel {
  name: string
  /** The declared `@id`, else `<model id>:<name>;<version>` (IoT Central's form), else the name. */
  '@id': string
  displayName?: unknown
  /** The component's interface, resolved when it is named by DTMI. */
  interface: InterfaceModel
}

export interface ModuleModel {
  name: string
  '@id': string
  displayName?: unknown
  interface: InterfaceModel
}

type Json = Record<string, unknown>

/** Whether a DTDL value is an object (an entry, a schema), not a list or a scalar. */
export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** An entry's `@type`, a string or a list in DTDL, as a list. */
export const typesOf = (entry: Json): string[] => {
  const type = entry['@type']
  if (typeof type === 'string') return [type]
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : []
}

const EDGE_MODULE_TYPES = new Set(['EdgeModule', 'SemanticType/EdgeModule'])
const MAX_DEPTH = 16

/** Every object in the document that carries an `@id`, by that id (the first one wins). */
function indexDocument(document: unknown): Map<string, Json> {
  const index = new Map<string, Json>()
  const visit = (value: unknown, depth: number): void => {
    if (depth > 64) return
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1)
    } else if (isObject(value)) {
      const id = value['@id']
      if (typeof id === 'string' && !index.has(id)) index.set(id, value)
      for (const child of Object.values(value)) visit(child, depth + 1)
    }
  }
  visit(document, 0)
  return index
}

class Reader {
  constructor(private readonly index: Map<string, Json>) {}

  /** An interface given inline or by DTMI; unknown DTMIs read as an empty interface. */
  interfaceOf(value: unknown, depth: number, seen: ReadonlySet<string>): InterfaceModel {
    const resolved = typeof value === 'string' ? this.index.get(value) : value
    if (!isObject(resolved) || depth > MAX_DEPTH) return emptyInterface()
    const id = typeof resolved['@id'] === 'string' ? resolved['@id'] : undefined
    if (id !== undefined && seen.has(id)) return emptyInterface()
    const inside = id === undefined ? seen : new Set([...seen, id])
    const model = emptyInterface()
    if (id !== undefined) model['@id'] = id
    if (resolved.displayName !== undefined) model.displayName = resolved.displayName
    // Contents of extended interfaces come first, then the interface's own.
    const extended = resolved.extends
    for (const base of Array.isArray(extended) ? extended : extended === undefined ? [] : [extended]) {
      const parent = this.interfaceOf(base, depth + 1, inside)
      for (const key of ['properties', 'telemetry', 'commands', 'components', 'relationships', 'modules'] as const) {
        ;(model[key] as unknown[]).push(...parent[key])
      }
    }
    const contents = Array.isArray(resolved.contents) ? resolved.contents : []
    for (const entry of contents) {
      if (isObject(entry)) this.readEntry(model, entry, id, depth, inside)
    }
    return model
  }

  private readEntry(
    model: InterfaceModel,
    entry: Json,
    interfaceId: string | undefined,
    depth: number,
    seen: ReadonlySet<string>,
  ): void {
    const name = entry.name
    if (typeof name !== 'string' || name === '') return
    const types = typesOf(entry)
    const declaredId = typeof entry['@id'] === 'string' ? entry['@id'] : undefined
    const common = {
      name,
      ...(declaredId !== undefined ? { '@id': declaredId } : {}),
      ...(entry.displayName !== undefined ? { displayName: entry.displayName } : {}),
    }
    if (types.includes('Component')) {
      model.components.push({
        ...common,
        '@id': declaredId ?? childId(interfaceId, name),
        interface: this.interfaceOf(entry.schema, depth + 1, seen),
      })
    } else if (types.includes('Relationship')) {
      const targets = entry.target === undefined ? [] : Array.isArray(entry.target) ? entry.target : [entry.target]
      if (types.some((type) => EDGE_MODULE_TYPES.has(type))) {
        model.modules.push({
          ...common,
          '@id': declaredId ?? childId(interfaceId, name),
          interface: this.interfaceOf(targets[0], depth + 1, seen),
        })
      } else {
        model.relationships.push({
          ...common,
          targets: targets
            .map((target) => (isObject(target) ? target['@id'] : target))
            .filter((target): target is string => typeof target === 'string'),
          raw: entry,
        })
      }
    } else {
      const kind = (['Property', 'Telemetry', 'Command'] as const).find((k) => types.includes(k))
      if (kind === undefined) return
      const capability: Capability = {
        ...common,
        kind,
        types,
        writable: kind === 'Property' && entry.writable === true,
        cloud: kind === 'Property' && types.includes('Cloud'),
        raw: entry,
      }
      if (kind === 'Command') {
        const request = isObject(entry.request) ? entry.request.schema : undefined
        const response = isObject(entry.response) ? entry.response.schema : undefined
        if (request !== undefined) capability.request = this.schemaOf(request, 0)
        if (response !== undefined) capability.response = this.schemaOf(response, 0)
        model.commands.push(capability)
      } else {
        capability.schema = this.schemaOf(entry.schema, 0)
        ;(kind === 'Property' ? model.properties : model.telemetry).push(capability)
      }
    }
  }

  /** A schema with DTMI references to schemas declared in the document replaced by them. */
  schemaOf(schema: unknown, depth: number): unknown {
    if (depth > MAX_DEPTH) return schema
    if (typeof schema === 'string') {
      const declared = this.index.get(schema)
      return declared === undefined ? schema : this.schemaOf(declared, depth + 1)
    }
    if (Array.isArray(schema)) return schema.map((item) => this.schemaOf(item, depth + 1))
    if (!isObject(schema)) return schema
    return Object.fromEntries(
      Object.entries(schema).map(([key, value]) => [
        key,
        key === '@id' || key === '@type' ? value : this.schemaOf(value, depth + 1),
      ]),
    )
  }
}

/** `dtmi:a:b;1` + `x` → `dtmi:a:b:x;1`, the id IoT Central gives a content without one. */
function childId(parent: string | undefined, name: string): string {
  const match = parent === undefined ? null : /^(dtmi:[^;]+);(\d+)$/.exec(parent)
  return match ? `${match[1]}:${name};${match[2]}` : name
}

const emptyInterface = (): InterfaceModel => ({
  properties: [],
  telemetry: [],
  commands: [],
  components: [],
  relationships: [],
  modules: [],
})

/** Reads a capability model (the template's `capabilityModel` member). */
export function readCapabilityModel(capabilityModel: unknown): InterfaceModel {
  return new Reader(indexDocument(capabilityModel)).interfaceOf(capabilityModel, 0, new Set())
}

/** Reads a whole template document (`{ capabilityModel, … }`); interfaces may be declared anywhere in it. */
export function readTemplateModel(template: unknown): InterfaceModel {
  if (!isObject(template)) return emptyInterface()
  return new Reader(indexDocument(template)).interfaceOf(template.capabilityModel, 0, new Set())
}

/** The gateway relationships declared at the model's root and in its components, in document order. */
export function relationshipDeclarations(model: InterfaceModel): RelationshipDeclaration[] {
  return [...model.relationships, ...model.components.flatMap((component) => component.interface.relationships)]
}

/** Whether a declaration lets a device relate to one with template `templateIds` (its id and its model's). */
export function declarationAllows(
  declaration: RelationshipDeclaration,
  templateIds: readonly string[],
): boolean {
  return declaration.targets.length === 0 || declaration.targets.some((target) => templateIds.includes(target))
}

/**
 * What changes incompatibly from `before` to `after`, one plain sentence per change (empty:
 * compatible). Removing a capability, component, module or relationship, or changing a
 * capability's kind or schema (or a property's writability or cloud nature, or narrowing a
 * relationship's targets) breaks the devices using the template; adding anything, or changing
 * display names and descriptions, does not.
 */
export function incompatibilities(before: InterfaceModel, after: InterfaceModel, prefix = ''): string[] {
  const problems: string[] = []
  const path = (name: string) => `${prefix}${name}`
  const afterCapabilities = new Map(
    [...after.properties, ...after.telemetry, ...after.commands].map((c) => [c.name, c]),
  )
  for (const old of [...before.properties, ...before.telemetry, ...before.commands]) {
    const now = afterCapabilities.get(old.name)
    const label = `the ${describeKind(old)} '${path(old.name)}'`
    if (now === undefined) {
      problems.push(`${label} was removed`)
    } else if (now.kind !== old.kind) {
      problems.push(`${label} became a ${now.kind}`)
    } else if (old.kind === 'Command') {
      if (!sameSchema(old.request, now.request)) problems.push(`${label} changed its request schema`)
      if (!sameSchema(old.response, now.response)) problems.push(`${label} changed its response schema`)
    } else {
      if (!sameSchema(old.schema, now.schema)) problems.push(`${label} changed its schema`)
      if (old.writable !== now.writable) problems.push(`${label} changed whether it is writable`)
      if (old.cloud !== now.cloud) problems.push(`${label} changed whether it is a cloud property`)
    }
  }
  const nested = (
    kind: 'component' | 'module',
    olds: ComponentModel[] | ModuleModel[],
    nows: ComponentModel[] | ModuleModel[],
  ) => {
    const byName = new Map(nows.map((n) => [n.name, n]))
    for (const old of olds) {
      const now = byName.get(old.name)
      if (now === undefined) problems.push(`the ${kind} '${path(old.name)}' was removed`)
      else problems.push(...incompatibilities(old.interface, now.interface, `${path(old.name)}/`))
    }
  }
  nested('component', before.components, after.components)
  nested('module', before.modules, after.modules)
  const relationships = new Map(after.relationships.map((r) => [r.name, r]))
  for (const old of before.relationships) {
    const now = relationships.get(old.name)
    if (now === undefined) {
      problems.push(`the relationship '${path(old.name)}' was removed`)
    } else if (
      now.targets.length > 0 &&
      (old.targets.length === 0 || old.targets.some((target) => !now.targets.includes(target)))
    ) {
      problems.push(`the relationship '${path(old.name)}' narrowed its targets`)
    }
  }
  return problems
}

function describeKind(capability: Capability): string {
  if (capability.kind === 'Property') return capability.cloud ? 'cloud property' : 'property'
  return capability.kind === 'Telemetry' ? 'telemetry' : 'command'
}

const COSMETIC = new Set(['displayName', 'description', 'comment', '@id'])

/** Schemas compared without their display members and ids, object keys in any order. */
function sameSchema(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b)
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => !COSMETIC.has(key))
      .sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'undefined'
}

/** The component of that name at the model's root, if any. */
export function componentNamed(model: InterfaceModel, name: string): ComponentModel | undefined {
  return model.components.find((component) => component.name === name)
}

/** The IoT Edge module of that name, if any. */
export function moduleNamed(model: InterfaceModel, name: string): ModuleModel | undefined {
  return model.modules.find((module) => module.name === name)
}
