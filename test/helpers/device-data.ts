import assert from 'node:assert/strict'
import { ROLE_IDS } from '../../src/authz/builtin-roles.js'
import { must, seedHierarchy } from './organizations.js'
import type { TestServer } from './server.js'

export const TEMPLATE_ID = 'dtmi:contoso:sensorDevice;1'

/**
 * A template with everything device data reads: root properties (writable, read-only, cloud),
 * telemetry and commands; a component given inline and one by reference to an interface defined
 * in `extends`; an IoT Edge module with its own component.
 */
export const TEMPLATE = {
  '@type': ['ModelDefinition', 'DeviceModel'],
  displayName: 'Sensor device',
  capabilityModel: {
    '@id': 'dtmi:contoso:sensorDevice:model;1',
    '@type': 'Interface',
    contents: [
      { '@type': 'Property', name: 'fanSpeed', schema: 'double', writable: true },
      { '@type': 'Property', name: 'serialNumber', schema: 'string' },
      {
        '@type': ['Property', 'Cloud'],
        name: 'status',
        schema: {
          '@type': 'Enum',
          valueSchema: 'integer',
          enumValues: [
            { name: 'offline', enumValue: 1 },
            { name: 'online', enumValue: 2 },
          ],
        },
      },
      { '@type': ['Property', 'Cloud'], name: 'location', schema: 'string' },
      { '@type': ['Telemetry', 'Temperature'], name: 'temperature', schema: 'double' },
      {
        '@type': 'Command',
        name: 'reboot',
        request: { name: 'delay', schema: 'integer' },
      },
      {
        '@type': 'Component',
        name: 'settings',
        schema: {
          '@id': 'dtmi:contoso:settings;1',
          '@type': 'Interface',
          contents: [
            { '@type': 'Property', name: 'voltage', schema: 'double', writable: true },
            { '@type': 'Property', name: 'current', schema: 'double', writable: true },
            {
              '@type': 'Property',
              name: 'mode',
              writable: true,
              schema: {
                '@type': 'Object',
                fields: [
                  { name: 'name', schema: 'string' },
                  { name: 'level', schema: 'integer' },
                ],
              },
            },
            { '@type': 'Property', name: 'firmware', schema: 'string' },
            { '@type': ['Property', 'Cloud'], name: 'note', schema: 'string' },
            { '@type': 'Telemetry', name: 'load', schema: 'double' },
            { '@type': 'Command', name: 'coolDown', request: { name: 'tempVal', schema: 'double' } },
          ],
        },
      },
      { '@type': 'Component', name: 'deviceinfo', schema: 'dtmi:contoso:deviceInformation;1' },
      {
        '@type': ['Relationship', 'EdgeModule'],
        name: 'module_env',
        target: [
          {
            '@id': 'dtmi:contoso:moduleEnv;1',
            '@type': 'Interface',
            contents: [
              { '@type': 'Property', name: 'interval', schema: 'integer', writable: true },
              { '@type': 'Telemetry', name: 'ambient', schema: 'double' },
              { '@type': 'Command', name: 'restart' },
              {
                '@type': 'Component',
                name: 'componentA',
                schema: {
                  '@id': 'dtmi:contoso:moduleEnv:componentA;1',
                  '@type': 'Interface',
                  contents: [
                    { '@type': 'Property', name: 'SensitivityDial', schema: 'integer', writable: true },
                    { '@type': 'Property', name: 'Status', schema: 'double' },
                    { '@type': 'Telemetry', name: 'humidity', schema: 'double' },
                    { '@type': 'Command', name: 'Reboot', request: { name: 'r', schema: 'boolean' } },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
    extends: [
      {
        '@id': 'dtmi:contoso:deviceInformation;1',
        '@type': 'Interface',
        contents: [
          { '@type': 'Property', name: 'manufacturer', schema: 'string' },
          { '@type': ['Property', 'Cloud'], name: 'owner', schema: 'string' },
        ],
      },
    ],
  },
}

/** Callers of the device-data tests. */
export interface Callers {
  /** Only deviceTemplates.read: refused everything here (403). */
  none: string
  /** Org Viewer in `us`: reads devices there, changes nothing. */
  viewerUs: string
  /** Org Operator in `us`: reads, updates and runs commands there only. */
  operatorUs: string
}

/** Organizations, the template, device `in-us` in `us` and `in-eu` in `eu`, and the callers. */
export async function seedDeviceData(server: TestServer): Promise<Callers> {
  await seedHierarchy(server)
  await must(server, 'PUT', `/api/deviceTemplates/${TEMPLATE_ID}`, TEMPLATE)
  await must(server, 'PUT', '/api/devices/in-us', { template: TEMPLATE_ID, organizations: ['us'] })
  await must(server, 'PUT', '/api/devices/in-eu', { template: TEMPLATE_ID, organizations: ['eu'] })
  await server.app.services.customRoles.put(null, 'template-readers', {
    displayName: 'Template readers',
    type: 'application',
    permissions: ['deviceTemplates.read'],
  })
  const callers = {
    none: await server.createToken('dd-none', ['template-readers']),
    viewerUs: await server.createScopedToken('dd-viewer-us', [
      { role: ROLE_IDS.orgViewer, organization: 'us' },
    ]),
    operatorUs: await server.createScopedToken('dd-operator-us', [
      { role: ROLE_IDS.orgOperator, organization: 'us' },
    ]),
  }
  return callers
}

/** Creates a device with the test template (no organization) and insists it worked. */
export async function createDevice(server: TestServer, id: string, template = TEMPLATE_ID): Promise<void> {
  const response = await server.request('PUT', `/api/devices/${id}`, { body: { template } })
  assert.equal(response.status, 200, response.text)
}
