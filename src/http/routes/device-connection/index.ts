import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { DeviceConnectionService } from '../../../services/device-connection.service.js'
import { ApiVersionQuery, errorResponses } from '../../schemas/common.js'
import { DeviceIdParams } from '../devices/schemas.js'

const ConnectionSchema = Type.Object({
  connected: Type.Boolean({ description: 'Whether the device has a session on any node now.' }),
  since: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the device connected (or disconnected); null if it never connected.',
  }),
  lastActivity: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the device was last heard from; null if never.',
  }),
})

/** `/api/devices/{deviceId}/connection`: an OpenCentral extension (IoT Central shows it only in its UI). */
export const deviceConnectionRoutes: FastifyPluginAsyncTypebox<{ connections: DeviceConnectionService }> = async (
  app,
  { connections },
) => {
  app.get(
    '/devices/:deviceId/connection',
    {
      config: { permission: 'devices.read' },
      schema: {
        tags: ['Devices'],
        summary: 'Get whether a device is connected (OpenCentral extension)',
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        response: { 200: ConnectionSchema, ...errorResponses },
      },
    },
    async (request) => connections.get(request.principal, request.params.deviceId),
  )
}
