import assert from 'node:assert/strict'
import type { OpenCentralApp } from '../../src/app.js'
import type { DeviceOutcome, JobDeviceActions, JobDeviceContext } from '../../src/jobs/job-device-actions.js'
import type { TestServer } from '../helpers/server.js'

export const THERMOSTAT = 'dtmi:contoso:jobs:thermostat;1'
export const SENSOR = 'dtmi:contoso:jobs:sensor;1'

const templateOf = (id: string) => ({
  '@type': ['ModelDefinition', 'DeviceModel'],
  displayName: id,
  capabilityModel: {
    '@id': `${id.replace(/;1$/, '')}:model;1`,
    '@type': 'Interface',
    contents: [
      { '@type': ['Property', 'Cloud'], name: 'customer', schema: 'string' },
      { '@type': 'Property', name: 'target', schema: 'double', writable: true },
      { '@type': 'Property', name: 'serial', schema: 'string' },
      { '@type': 'Command', name: 'reboot' },
      {
        '@type': 'Component',
        name: 'settings',
        schema: {
          '@id': `${id.replace(/;1$/, '')}:settings;1`,
          '@type': 'Interface',
          contents: [{ '@type': 'Property', name: 'fan', schema: 'integer', writable: true }],
        },
      },
    ],
  },
})

/** Two templates, the given devices (`prefix-1`…`prefix-n`) on the first, one on the second. */
export async function seedTemplates(app: OpenCentralApp): Promise<void> {
  for (const id of [THERMOSTAT, SENSOR]) await app.services.deviceTemplates.put(null, id, templateOf(id))
}

export async function seedDevices(
  app: OpenCentralApp,
  prefix: string,
  count: number,
  options: { template?: string; organization?: string } = {},
): Promise<string[]> {
  const ids: string[] = []
  for (let i = 1; i <= count; i++) {
    const id = `${prefix}-${String(i).padStart(3, '0')}`
    await app.services.devices.put(null, id, {
      template: options.template ?? THERMOSTAT,
      ...(options.organization ? { organizations: [options.organization] } : {}),
    })
    ids.push(id)
  }
  return ids
}

/** A device group of the devices whose id starts with `prefix`. */
export async function seedGroup(app: OpenCentralApp, id: string, prefix: string, organization?: string): Promise<void> {
  await app.services.deviceGroups.put(null, id, {
    displayName: id,
    filter: `SELECT * FROM devices WHERE STARTSWITH($id, "${prefix}")`,
    ...(organization ? { organizations: [organization] } : {}),
  })
}

/** Device actions that record each call and answer as told. */
export class RecordingActions implements JobDeviceActions {
  /** `jobId:deviceId` of each call */
  readonly calls: string[] = []
  constructor(private readonly outcome: (context: JobDeviceContext) => DeviceOutcome | Promise<DeviceOutcome> = () => ({ status: 'completed' })) {}
  /** The devices a job called for, in call order. */
  of(jobId: string): string[] {
    return this.calls.filter((c) => c.startsWith(`${jobId}:`)).map((c) => c.slice(jobId.length + 1))
  }
  async writeProperties(context: JobDeviceContext): Promise<DeviceOutcome> {
    this.calls.push(`${context.jobId}:${context.device.id}`)
    return this.outcome(context)
  }
  async runCommands(context: JobDeviceContext): Promise<DeviceOutcome> {
    this.calls.push(`${context.jobId}:${context.device.id}`)
    return this.outcome(context)
  }
}

export const propertyJob = (group: string, extra: Record<string, unknown> = {}) => ({
  displayName: 'Set target',
  group,
  data: [{ type: 'property', target: THERMOSTAT, path: 'target', value: 21.5 }],
  ...extra,
})

export async function putJob(server: TestServer, id: string, body: unknown, auth?: string): Promise<any> {
  const response = await server.request('PUT', `/api/jobs/${id}`, { body, ...(auth ? { auth } : {}) })
  assert.equal(response.status, 200, response.text)
  return response.body
}
