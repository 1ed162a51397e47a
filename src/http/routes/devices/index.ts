import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Config } from '../../../config/schema.js'
import type { DeviceService, DeviceView } from '../../../services/device.service.js'
import { supports } from '../../api-versions.js'
import { collection, pageRequest } from '../../paging.js'
import { ApiVersionQuery, Collection, PagedQuery, errorResponses } from '../../schemas/common.js'
import { DeviceBody, DeviceIdParams, DeviceSchema, IfMatchHeaders, deviceFor } from './schemas.js'
import { checkMemberFor } from '../../versioned.js'

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
    async (request) => {
      const page = await devices.list(request.principal, pageRequest(request.query))
      const items = page.items.map((device) => deviceFor(request.apiVersion, device))
      return collection(request, config.publicUrl, request.query, { ...page, items })
    },
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
    // Not async: on SQLite the device is at hand at once, and the answer goes out with no promise.
    (request, reply) => {
      const send = (device: DeviceView): void => {
        reply.header('etag', `"${device.etag}"`).send(deviceFor(request.apiVersion, device))
      }
      const device = devices.get(request.principal, request.params.deviceId)
      return device instanceof Promise ? device.then(send) : send(device)
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
      const version = request.apiVersion
      checkMemberFor(version, request.body, 'organizations', 'organizations')
      const device = await devices.put(
        request.principal,
        request.params.deviceId,
        request.body,
        request.headers['if-match'],
        // A version without organizations cannot say where the device belongs: it stays put.
        { keepOrganizations: request.body.organizations === undefined && !supports(version, 'organizations') },
      )
      return reply.header('etag', `"${device.etag}"`).send(deviceFor(version, device))
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
      checkMemberFor(request.apiVersion, request.body, 'organizations', 'organizations')
      const device = await devices.patch(
        request.principal,
        request.params.deviceId,
        request.body,
        request.headers['if-match'],
      )
      return reply.header('etag', `"${device.etag}"`).send(deviceFor(request.apiVersion, device))
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
