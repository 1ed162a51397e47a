import type { DeviceTemplate } from '../api/types'

/** A template's display name (the first language's, when it has several), or its id. */
export const templateName = (template: DeviceTemplate) =>
  typeof template.displayName === 'string'
    ? template.displayName
    : (Object.values(template.displayName ?? {})[0] ?? template['@id'])
