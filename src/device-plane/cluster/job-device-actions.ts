import type { DeviceOutcome, JobDeviceActions, JobDeviceContext } from '../../jobs/job-device-actions.js'
import type { DeviceCommandService } from '../../services/device-commands.service.js'
import type { DevicePropertyService } from '../../services/device-properties.service.js'

/** How long a job's command waits for its device: it must be connected when its turn comes. */
export const JOB_COMMAND_TIMEOUTS = { connectionTimeout: 0, responseTimeout: 30 }

/** `name` or `component.name`, as job entries write them. */
function split(path: string): { component: string | null; name: string } {
  const dot = path.indexOf('.')
  return dot < 0 ? { component: null, name: path } : { component: path.slice(0, dot), name: path.slice(dot + 1) }
}

/**
 * What property and command jobs do to a device, with IoT Central's rules for devices that are
 * not connected: a property job writes the desired values (the device gets them now when
 * connected, else when it connects, like any property write) and the device's step is complete
 * once they are stored; a command job runs each command on the device where it is connected (any
 * node) and fails for a device that is not connected, or that answers with a status other than 2xx.
 */
export class DeviceJobActions implements JobDeviceActions {
  constructor(
    private readonly properties: Pick<DevicePropertyService, 'write'>,
    private readonly commands: Pick<DeviceCommandService, 'run'>,
  ) {}

  async writeProperties({ device, entries }: JobDeviceContext): Promise<DeviceOutcome> {
    // One write of the device's whole document: one desired version, one push to the device.
    const body: Record<string, unknown> = {}
    for (const entry of entries) {
      const { component, name } = split(entry.path)
      if (component === null) body[name] = entry.value
      else body[component] = { ...(body[component] as Record<string, unknown> | undefined), [name]: entry.value }
    }
    await this.properties.write(null, device.id, { module: null, component: null }, body, 'merge')
    return { status: 'completed' }
  }

  async runCommands({ device, entries }: JobDeviceContext): Promise<DeviceOutcome> {
    for (const entry of entries) {
      const { component, name } = split(entry.path)
      // Not connected (404) and no answer in time (504) throw: the runner records the message.
      const run = await this.commands.run(null, device.id, { module: null, component }, name, {
        ...JOB_COMMAND_TIMEOUTS,
        ...(entry.value !== undefined ? { request: entry.value } : {}),
      })
      const code = run.responseCode ?? 200
      if (code < 200 || code > 299) {
        return { status: 'failed', reason: `the device answered the command '${entry.path}' with ${code}.` }
      }
    }
    return { status: 'completed' }
  }
}
