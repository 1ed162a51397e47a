import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { startServer, type TestServer } from '../helpers/server.js'

/**
 * Every operation of the IoT Central REST API (GA 2022-07-31): 96 operations on 49 paths, by
 * operationId, method and path as the specification writes them.
 */
export const OPERATIONS: [operationId: string, method: string, path: string][] = [
  ['ApiTokens_List', 'GET', '/apiTokens'],
  ['ApiTokens_Get', 'GET', '/apiTokens/{tokenId}'],
  ['ApiTokens_Create', 'PUT', '/apiTokens/{tokenId}'],
  ['ApiTokens_Remove', 'DELETE', '/apiTokens/{tokenId}'],
  ['Roles_List', 'GET', '/roles'],
  ['Roles_Get', 'GET', '/roles/{roleId}'],
  ['Users_List', 'GET', '/users'],
  ['Users_Get', 'GET', '/users/{userId}'],
  ['Users_Create', 'PUT', '/users/{userId}'],
  ['Users_Update', 'PATCH', '/users/{userId}'],
  ['Users_Remove', 'DELETE', '/users/{userId}'],
  ['Organizations_List', 'GET', '/organizations'],
  ['Organizations_Get', 'GET', '/organizations/{organizationId}'],
  ['Organizations_Create', 'PUT', '/organizations/{organizationId}'],
  ['Organizations_Update', 'PATCH', '/organizations/{organizationId}'],
  ['Organizations_Remove', 'DELETE', '/organizations/{organizationId}'],
  ['Devices_List', 'GET', '/devices'],
  ['Devices_Get', 'GET', '/devices/{deviceId}'],
  ['Devices_Create', 'PUT', '/devices/{deviceId}'],
  ['Devices_Update', 'PATCH', '/devices/{deviceId}'],
  ['Devices_Remove', 'DELETE', '/devices/{deviceId}'],
  ['Devices_GetAttestation', 'GET', '/devices/{deviceId}/attestation'],
  ['Devices_CreateAttestation', 'PUT', '/devices/{deviceId}/attestation'],
  ['Devices_UpdateAttestation', 'PATCH', '/devices/{deviceId}/attestation'],
  ['Devices_RemoveAttestation', 'DELETE', '/devices/{deviceId}/attestation'],
  ['Devices_GetCredentials', 'GET', '/devices/{deviceId}/credentials'],
  ['Devices_GetProperties', 'GET', '/devices/{deviceId}/properties'],
  ['Devices_ReplaceProperties', 'PUT', '/devices/{deviceId}/properties'],
  ['Devices_UpdateProperties', 'PATCH', '/devices/{deviceId}/properties'],
  ['Devices_GetComponentProperties', 'GET', '/devices/{deviceId}/components/{componentName}/properties'],
  ['Devices_ReplaceComponentProperties', 'PUT', '/devices/{deviceId}/components/{componentName}/properties'],
  ['Devices_UpdateComponentProperties', 'PATCH', '/devices/{deviceId}/components/{componentName}/properties'],
  ['Devices_GetModuleProperties', 'GET', '/devices/{deviceId}/modules/{moduleName}/properties'],
  ['Devices_ReplaceModuleProperties', 'PUT', '/devices/{deviceId}/modules/{moduleName}/properties'],
  ['Devices_UpdateModuleProperties', 'PATCH', '/devices/{deviceId}/modules/{moduleName}/properties'],
  ['Devices_GetModuleComponentProperties', 'GET', '/devices/{deviceId}/modules/{moduleName}/components/{componentName}/properties'],
  ['Devices_ReplaceModuleComponentProperties', 'PUT', '/devices/{deviceId}/modules/{moduleName}/components/{componentName}/properties'],
  ['Devices_UpdateModuleComponentProperties', 'PATCH', '/devices/{deviceId}/modules/{moduleName}/components/{componentName}/properties'],
  ['Devices_GetTelemetryValue', 'GET', '/devices/{deviceId}/telemetry/{telemetryName}'],
  ['Devices_GetComponentTelemetryValue', 'GET', '/devices/{deviceId}/components/{componentName}/telemetry/{telemetryName}'],
  ['Devices_GetModuleTelemetryValue', 'GET', '/devices/{deviceId}/modules/{moduleName}/telemetry/{telemetryName}'],
  ['Devices_GetModuleComponentTelemetryValue', 'GET', '/devices/{deviceId}/modules/{moduleName}/components/{componentName}/telemetry/{telemetryName}'],
  ['Devices_GetCommandHistory', 'GET', '/devices/{deviceId}/commands/{commandName}'],
  ['Devices_RunCommand', 'POST', '/devices/{deviceId}/commands/{commandName}'],
  ['Devices_GetComponentCommandHistory', 'GET', '/devices/{deviceId}/components/{componentName}/commands/{commandName}'],
  ['Devices_RunComponentCommand', 'POST', '/devices/{deviceId}/components/{componentName}/commands/{commandName}'],
  ['Devices_GetModuleCommandHistory', 'GET', '/devices/{deviceId}/modules/{moduleName}/commands/{commandName}'],
  ['Devices_RunModuleCommand', 'POST', '/devices/{deviceId}/modules/{moduleName}/commands/{commandName}'],
  ['Devices_GetModuleComponentCommandHistory', 'GET', '/devices/{deviceId}/modules/{moduleName}/components/{componentName}/commands/{commandName}'],
  ['Devices_RunModuleComponentCommand', 'POST', '/devices/{deviceId}/modules/{moduleName}/components/{componentName}/commands/{commandName}'],
  ['Devices_ListComponents', 'GET', '/devices/{deviceId}/components'],
  ['Devices_ListModules', 'GET', '/devices/{deviceId}/modules'],
  ['Devices_ListModuleComponents', 'GET', '/devices/{deviceId}/modules/{moduleName}/components'],
  ['Devices_ListRelationships', 'GET', '/devices/{deviceId}/relationships'],
  ['Devices_GetRelationship', 'GET', '/devices/{deviceId}/relationships/{relationshipId}'],
  ['Devices_CreateRelationship', 'PUT', '/devices/{deviceId}/relationships/{relationshipId}'],
  ['Devices_UpdateRelationship', 'PATCH', '/devices/{deviceId}/relationships/{relationshipId}'],
  ['Devices_RemoveRelationship', 'DELETE', '/devices/{deviceId}/relationships/{relationshipId}'],
  ['DeviceGroups_List', 'GET', '/deviceGroups'],
  ['DeviceGroups_Get', 'GET', '/deviceGroups/{deviceGroupId}'],
  ['DeviceGroups_Create', 'PUT', '/deviceGroups/{deviceGroupId}'],
  ['DeviceGroups_Update', 'PATCH', '/deviceGroups/{deviceGroupId}'],
  ['DeviceGroups_Remove', 'DELETE', '/deviceGroups/{deviceGroupId}'],
  ['DeviceGroups_GetDevices', 'GET', '/deviceGroups/{deviceGroupId}/devices'],
  ['DeviceTemplates_List', 'GET', '/deviceTemplates'],
  ['DeviceTemplates_Get', 'GET', '/deviceTemplates/{deviceTemplateId}'],
  ['DeviceTemplates_Create', 'PUT', '/deviceTemplates/{deviceTemplateId}'],
  ['DeviceTemplates_Update', 'PATCH', '/deviceTemplates/{deviceTemplateId}'],
  ['DeviceTemplates_Remove', 'DELETE', '/deviceTemplates/{deviceTemplateId}'],
  ['EnrollmentGroups_List', 'GET', '/enrollmentGroups'],
  ['EnrollmentGroups_Get', 'GET', '/enrollmentGroups/{enrollmentGroupId}'],
  ['EnrollmentGroups_Create', 'PUT', '/enrollmentGroups/{enrollmentGroupId}'],
  ['EnrollmentGroups_Update', 'PATCH', '/enrollmentGroups/{enrollmentGroupId}'],
  ['EnrollmentGroups_Remove', 'DELETE', '/enrollmentGroups/{enrollmentGroupId}'],
  ['EnrollmentGroups_GetX509', 'GET', '/enrollmentGroups/{enrollmentGroupId}/certificates/{entry}'],
  ['EnrollmentGroups_CreateX509', 'PUT', '/enrollmentGroups/{enrollmentGroupId}/certificates/{entry}'],
  ['EnrollmentGroups_RemoveX509', 'DELETE', '/enrollmentGroups/{enrollmentGroupId}/certificates/{entry}'],
  ['EnrollmentGroups_GenerateVerificationCodeX509', 'POST', '/enrollmentGroups/{enrollmentGroupId}/certificates/{entry}/generateVerificationCode'],
  ['EnrollmentGroups_VerifyX509', 'POST', '/enrollmentGroups/{enrollmentGroupId}/certificates/{entry}/verify'],
  ['FileUploads_Get', 'GET', '/fileUploads'],
  ['FileUploads_Create', 'PUT', '/fileUploads'],
  ['FileUploads_Update', 'PATCH', '/fileUploads'],
  ['FileUploads_Remove', 'DELETE', '/fileUploads'],
  ['Jobs_List', 'GET', '/jobs'],
  ['Jobs_Get', 'GET', '/jobs/{jobId}'],
  ['Jobs_Create', 'PUT', '/jobs/{jobId}'],
  ['Jobs_GetDevices', 'GET', '/jobs/{jobId}/devices'],
  ['Jobs_Rerun', 'PUT', '/jobs/{jobId}/rerun/{rerunId}'],
  ['Jobs_Resume', 'POST', '/jobs/{jobId}/resume'],
  ['Jobs_Stop', 'POST', '/jobs/{jobId}/stop'],
  ['ScheduledJobs_List', 'GET', '/scheduledJobs'],
  ['ScheduledJobs_Get', 'GET', '/scheduledJobs/{scheduledJobId}'],
  ['ScheduledJobs_Create', 'PUT', '/scheduledJobs/{scheduledJobId}'],
  ['ScheduledJobs_Update', 'PATCH', '/scheduledJobs/{scheduledJobId}'],
  ['ScheduledJobs_Remove', 'DELETE', '/scheduledJobs/{scheduledJobId}'],
  ['ScheduledJobs_ListJobs', 'GET', '/scheduledJobs/{scheduledJobId}/jobs'],
]

/** A value for each path parameter (none of them need to exist: any answer but "no route" will do). */
const PARAMETERS: Record<string, string> = {
  tokenId: 'surface-token',
  roleId: 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4',
  userId: 'surface-user',
  organizationId: 'surface-org',
  deviceId: 'surface-device',
  componentName: 'surfaceComponent',
  moduleName: 'surfaceModule',
  telemetryName: 'surfaceTelemetry',
  commandName: 'surfaceCommand',
  relationshipId: 'surface-relationship',
  deviceGroupId: 'surface-group',
  deviceTemplateId: 'dtmi:contoso:surface;1',
  enrollmentGroupId: 'surface-enrollment',
  entry: 'primary',
  jobId: 'surface-job',
  rerunId: 'surface-rerun',
  scheduledJobId: 'surface-scheduled',
}

export const fillPath = (template: string, values: Record<string, string> = PARAMETERS): string =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name]
    assert.ok(value !== undefined, `no value for {${name}}`)
    return encodeURIComponent(value)
  })

/** "There is no GET /api/… here.": the answer for a path and method no route serves. */
const isRouterMiss = (status: number, message: unknown): boolean =>
  status === 405 || (status === 404 && typeof message === 'string' && /^There is no /.test(message))

describe('API surface: the operation table', () => {
  it('lists 96 operations on 49 paths, each operationId once', () => {
    assert.equal(OPERATIONS.length, 96)
    assert.equal(new Set(OPERATIONS.map(([id]) => id)).size, 96)
    assert.equal(new Set(OPERATIONS.map(([, , path]) => path)).size, 49)
    assert.equal(new Set(OPERATIONS.map(([, method, path]) => `${method} ${path}`)).size, 96)
  })
})

for (const dialect of DIALECTS) {
  describe(`API surface: every operation is served (${dialect})`, () => {
    let server: TestServer

    before(async () => {
      server = await startServer(dialect)
    })
    after(async () => server?.close())

    it('describes every operation in the OpenAPI document', async () => {
      const response = await server.request('GET', '/api/openapi.json', { auth: null, query: { 'api-version': null } })
      assert.equal(response.status, 200, response.text)
      const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}')
      const described = new Set(
        Object.entries(response.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
          Object.keys(methods).map((method) => `${method.toUpperCase()} ${shape(path)}`),
        ),
      )
      const missing = OPERATIONS.filter(([, method, path]) => !described.has(`${method} ${shape(`/api${path}`)}`))
      assert.deepEqual(missing.map(([id]) => id), [])
    })

    for (const [operationId, method, path] of OPERATIONS) {
      it(`${operationId}: ${method} ${path}`, async () => {
        const withBody = method === 'PUT' || method === 'PATCH' || method === 'POST'
        const response = await server.request(method, `/api${fillPath(path)}`, {
          ...(withBody ? { body: {} } : {}),
          // The three merge-patch-only PATCHes refuse application/json; either answer proves the route.
          ...(method === 'PATCH' ? { contentType: 'application/merge-patch+json' } : {}),
        })
        assert.ok(
          !isRouterMiss(response.status, response.body?.error?.message),
          `${method} ${path} is not served: ${response.status} ${response.text}`,
        )
      })
    }
  })
}
