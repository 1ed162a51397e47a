import type { PropertyCapability } from './device-capabilities.js'

/** A device's properties as GET …/properties answers them (a component's under its name). */
export type PropertiesView = Record<string, unknown>

/** What IoT Central keeps beside a property's value in `$metadata`. */
export interface PropertyMetadata {
  desiredValue?: unknown
  desiredVersion?: number
  ackCode?: number
  ackVersion?: number
  ackDescription?: string
  lastUpdateTime?: string
}

/** Where a desired value stands: not asked, waiting for the device, or answered by it. */
export type Acknowledgement =
  | { state: 'none' }
  | { state: 'pending'; version: number | undefined }
  | { state: 'accepted' | 'rejected'; code: number; version: number; description?: string }

export interface PropertyState {
  capability: PropertyCapability
  /** The value the device reported (or the cloud property's value); undefined when none. */
  reported: unknown
  metadata: PropertyMetadata
  acknowledgement: Acknowledgement
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * A desired value is acknowledged once the device answered its version (ackVersion at least
 * desiredVersion); 2xx codes accept it, anything else rejects it (IoT Plug and Play's `ac`).
 */
export function acknowledgementOf(metadata: PropertyMetadata): Acknowledgement {
  const { ackCode, ackVersion, desiredVersion } = metadata
  if (ackCode === undefined && metadata.desiredValue === undefined) return { state: 'none' }
  if (ackCode === undefined || ackVersion === undefined || (desiredVersion !== undefined && ackVersion < desiredVersion)) {
    return { state: 'pending', version: desiredVersion }
  }
  return {
    state: ackCode >= 200 && ackCode < 300 ? 'accepted' : 'rejected',
    code: ackCode,
    version: ackVersion,
    ...(metadata.ackDescription !== undefined ? { description: metadata.ackDescription } : {}),
  }
}

/** Each property of the template with what the device reported and what was asked of it. */
export function propertyStates(capabilities: PropertyCapability[], view: PropertiesView): PropertyState[] {
  return capabilities.map((capability) => {
    const holder = capability.component === null ? view : view[capability.component]
    const values = isObject(holder) ? holder : {}
    const all = isObject(values.$metadata) ? values.$metadata : {}
    const metadata = (isObject(all[capability.name]) ? all[capability.name] : {}) as PropertyMetadata
    return {
      capability,
      reported: values[capability.name],
      metadata,
      acknowledgement: acknowledgementOf(metadata),
    }
  })
}

/** The PATCH body that sets one property: a component's properties go under its name. */
export function propertyPatch(capability: PropertyCapability, value: unknown): PropertiesView {
  const entry = { [capability.name]: value }
  return capability.component === null ? entry : { [capability.component]: entry }
}

/** A value as the page shows it: text as it is, anything else as JSON. */
export const shownValue = (value: unknown): string =>
  value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value)

/**
 * What the person typed, as the value to send: text as it is for a string schema, JSON for any
 * other (numbers, booleans, objects…). Throws an Error in plain words when it is not JSON.
 */
export function typedValue(schema: unknown, text: string): unknown {
  if (schema === 'string') return text
  try {
    return JSON.parse(text)
  } catch {
    throw new Error(`"${text}" is not a valid value: write it as JSON (a number, true, false, "text", {…}).`)
  }
}
