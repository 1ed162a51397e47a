import { readTemplateModel, type Capability, type InterfaceModel } from '../../device-models/capability-model.js'

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** What a simulated device sends: telemetry and reported properties, per component (null: its own interface). */
export interface SamplePlan {
  telemetry: Map<string | null, Capability[]>
  properties: Map<string | null, Capability[]>
}

/** Without a template: a temperature and a humidity, as a plain sensor would send. */
const DEFAULT_TELEMETRY: Capability[] = [
  { kind: 'Telemetry', name: 'temperature', types: ['Telemetry'], schema: 'double', writable: false, cloud: false, raw: {} },
  { kind: 'Telemetry', name: 'humidity', types: ['Telemetry'], schema: 'double', writable: false, cloud: false, raw: {} },
]

/** The telemetry and device-reported (read-only) properties of a template, or a plain sensor's. */
export function samplePlan(template: unknown): SamplePlan {
  const plan: SamplePlan = { telemetry: new Map(), properties: new Map() }
  if (template === undefined) {
    plan.telemetry.set(null, DEFAULT_TELEMETRY)
    return plan
  }
  const add = (component: string | null, model: InterfaceModel) => {
    if (model.telemetry.length > 0) plan.telemetry.set(component, model.telemetry)
    const reported = model.properties.filter((property) => !property.writable && !property.cloud)
    if (reported.length > 0) plan.properties.set(component, reported)
  }
  const model = readTemplateModel(template)
  add(null, model)
  for (const component of model.components) add(component.name, component.interface)
  return plan
}

const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(Math.random() * list.length)]

/** A plausible value of a DTDL schema: numbers in a small range, enums from their values, objects field by field. */
export function sampleValue(schema: unknown, depth = 0): unknown {
  switch (schema) {
    case 'double':
    case 'float':
      return Math.round((20 + Math.random() * 10) * 100) / 100
    case 'integer':
    case 'long':
      return Math.floor(Math.random() * 100)
    case 'boolean':
      return Math.random() < 0.5
    case 'string':
      return `value-${Math.floor(Math.random() * 1000)}`
    case 'dateTime':
      return new Date().toISOString()
    case 'date':
      return new Date().toISOString().slice(0, 10)
    case 'time':
      return new Date().toISOString().slice(11, 19)
    case 'duration':
      return 'PT1M'
  }
  if (typeof schema === 'string' && /geopoint/i.test(schema)) return { lat: 47.6, lon: -122.3, alt: 0 }
  if (!isObject(schema) || depth > 4) return undefined
  const type = schema['@type']
  if (type === 'Enum' && Array.isArray(schema.enumValues)) {
    const value = pick(schema.enumValues)
    return isObject(value) ? value.enumValue : undefined
  }
  if (type === 'Object' && Array.isArray(schema.fields)) {
    const object: Json = {}
    for (const field of schema.fields) {
      if (isObject(field) && typeof field.name === 'string') object[field.name] = sampleValue(field.schema, depth + 1)
    }
    return object
  }
  if (type === 'Array') return [sampleValue(schema.elementSchema, depth + 1)]
  if (type === 'Map') return {}
  return undefined
}

/** One message's values: every capability whose schema yields a value. */
export function sampleMessage(capabilities: readonly Capability[]): Json {
  const message: Json = {}
  for (const capability of capabilities) {
    const value = sampleValue(capability.schema)
    if (value !== undefined) message[capability.name] = value
  }
  return message
}
