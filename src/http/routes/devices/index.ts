import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Config } from '../../../config/schema.js'
import type { DeviceService } from '../../../services/device.service.js'
import { collection, pageRequest } from '../../paging.js'
import { ApiVersionQuery, Collection, PagedQuery, errorResponses } from '../../schemas/common.js'
import { DeviceBody, DeviceIdParams, DeviceSchema, IfMatchHeaders } from './schemas.js'

const writeErrors = { 409: errorResponses[400], 412: errorResponses[400], 422: errorResponses[400] }

/** `/api/devices`: the application's devices, paged by id. */
export const deviceRoutes: FastifyPluginAsyncTypebox<{ devices: DeviceService; config: Config }> = async (
  app,
  { devices, config },
) => {
  const tags = ['Devices']

  app.get(
    '/devices',
    {
      config: { permission: 'devices.read' },
      schema: {
        tags,
        summary: 'List devices, a page at a time (follow nextLink)',
        querystring: PagedQuery,
        response: { 200: Collection(DeviceSchema), ...errorResponses },
      },
    },
    async (request) =>
      collection(request, config.publicUrl, request.query, await devices.list(request.principal, pageRequest(request.query))),
  )

  app.get(
    '/devices/:deviceId',
    {
      config: { permission: 'devices.read' },
      schema: {
        tags,
        summary: 'Get a device',
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        response: { 200: DeviceSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const device = await devices.get(request.principal, request.params.deviceId)
      return reply.header('etag', `"${device.etag}"`).send(device)
    },
  )

  app.put(
    '/devices/:deviceId',
    {
      config: { permission: ['devices.create', 'devices.update'] },
      schema: {
        tags,
        summary: 'Create a device, or replace its writable members',
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        body: DeviceBody,
        response: { 200: DeviceSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request, reply) => {
      const device = await devices.put(
        request.principal,
        request.params.deviceId,
        request.body,
        request.headers['if-match'],
      )
      return reply.header('etag', `"${device.etag}"`).send(device)
    },
  )

  app.patch(
    '/devices/:deviceId',
    {
      config: { permission: 'devices.update' },
      schema: {
        tags,
        summary: 'Change a device (JSON merge patch)',
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        body: DeviceBody,
        response: { 200: DeviceSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request, reply) => {
      const device = await devices.patch(
        request.principal,
        request.params.deviceId,
        request.body,
        request.headers['if-match'],
      )
      return reply.header('etag', `"${device.etag}"`).send(device)
    },
  )

  app.delete(
    '/devices/:deviceId',
    {
      config: { permission: 'devices.delete' },
      schema: {
        tags,
        summary: 'Delete a device',
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        response: { 204: Type.Null(), 412: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      await devices.delete(request.principal, request.params.deviceId, request.headers['if-match'])
      return reply.code(204).send(null)
    },
  )
}
