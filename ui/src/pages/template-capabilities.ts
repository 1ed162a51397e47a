import type { DeviceTemplate, JobDataType } from '../api/types'

type Entry = Record<string, unknown>
const isObject = (value: unknown): value is Entry =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const typesOf = (entry: Entry): string[] => {
  const type = entry['@type']
  return typeof type === 'string' ? [type] : Array.isArray(type) ? type.map(String) : []
}

/** What a template entry is, for a job: a cloud property, a writable property or a command. */
const kindOf = (entry: Entry): JobDataType | null => {
  const types = typesOf(entry)
  if (types.includes('Command')) return 'command'
  if (types.includes('Property')) {
    if (types.includes('Cloud')) return 'cloudProperty'
    return entry.writable === true ? 'property' : null
  }
  return null
}

/**
 * The paths a job of this type can name in a template: `name` in its own interface and
 * `component.name` in its components (as the API resolves them).
 */
export function capabilityPaths(template: DeviceTemplate | undefined, type: JobDataType): string[] {
  const model = template?.capabilityModel
  if (!isObject(model) || !Array.isArray(model.contents)) return []
  const paths: string[] = []
  for (const entry of model.contents) {
    if (!isObject(entry) || typeof entry.name !== 'string') continue
    if (typesOf(entry).includes('Component')) {
      const schema = entry.schema
      if (!isObject(schema) || !Array.isArray(schema.contents)) continue
      for (const inner of schema.contents) {
        if (isObject(inner) && typeof inner.name === 'string' && kindOf(inner) === type) {
          paths.push(`${entry.name}.${inner.name}`)
        }
      }
    } else if (kindOf(entry) === type) {
      paths.push(entry.name)
    }
  }
  return paths
}
