import type { DeviceRow } from '../storage/schema.js'
import type { TargetedJobData } from './job-definition.js'

/** How one device fared in a job. */
export type DeviceOutcome = { status: 'completed' } | { status: 'failed'; reason: string }

/** What a job of one `data` type does to one device. */
export interface JobDeviceContext {
  jobId: string
  /** the device as it is now */
  device: DeviceRow
  /** the job's entries that apply to this device (its template is their `target`) */
  entries: readonly TargetedJobData[]
}

/**
 * Writing a device property and running a command reach the device itself; whatever connects
 * devices implements this and installs it with `services.jobs.useDeviceActions(actions)`. The
 * runner calls it once per device and records the outcome; a thrown error is a failure.
 */
export interface JobDeviceActions {
  writeProperties(context: JobDeviceContext): Promise<DeviceOutcome>
  runCommands(context: JobDeviceContext): Promise<DeviceOutcome>
}

/** Until devices can connect, no device can be reached. */
export const unreachableDevices: JobDeviceActions = {
  async writeProperties() {
    return { status: 'failed', reason: 'the device has never connected.' }
  },
  async runCommands() {
    return { status: 'failed', reason: 'the device has never connected.' }
  },
}

/** Writes cloud properties (kept by the application, not the device): the device-properties service's contract. */
export interface CloudPropertyWriter {
  writeCloudProperties(deviceId: string, component: string | null, values: Record<string, unknown>): Promise<void>
}
