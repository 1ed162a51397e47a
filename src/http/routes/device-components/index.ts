import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { DeviceModelService } from '../../../services/device-model.service.js'
import { ApiVersionQuery, errorResponses } from '../../schemas/common.js'
import { DeviceIdParams } from '../devices/schemas.js'

const ComponentSchema = Type.Object(
  {
    '@id': Type.String(),
    '@type': Type.Array(Type.String()),
    name: Type.String(),
    displayName: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
)

/** IoT Central's `Collection`: not paged. */
const ItemList = Type.Object({ value: Type.Array(ComponentSchema) })

/** `/api/devices/{deviceId}/components`, `/modules`, `/modules/{moduleName}/components`: read from the device's template. */
export const deviceComponentRoutes: FastifyPluginAsyncTypebox<{ models: DeviceModelService }> = async (
  app,
  { models },
) => {
  const tags = ['Devices']

  app.get(
    '/devices/:deviceId/components',
    {
      config: { permission: 'devices.read' },
      schema: {
        tags,
        summary: "List the components of the device's template",
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        response: { 200: ItemList, ...errorResponses },
      },
    },
    async (request) => ({ value: await models.components(request.principal, request.params.deviceId) }),
  )

  app.get(
    '/devices/:deviceId/modules',
    {
      config: { permission: 'devices.read' },
      schema: {
        tags,
        summary: "List the IoT Edge modules of the device's template",
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        response: { 200: ItemList, ...errorResponses },
      },
    },
    async (request) => ({ value: await models.modules(request.principal, request.params.deviceId) }),
  )

  app.get(
    '/devices/:deviceId/modules/:moduleName/components',
    {
      config: { permission: 'devices.read' },
      schema: {
        tags,
        summary: 'List the components of an IoT Edge module of the device',
        params: Type.Object({ deviceId: Type.String(), moduleName: Type.String() }),
        querystring: ApiVersionQuery,
        response: { 200: ItemList, ...errorResponses },
      },
    },
    async (request) => ({
      value: await models.moduleComponents(
        request.principal,
        request.params.deviceId,
        request.params.moduleName,
      ),
    }),
  )
}
