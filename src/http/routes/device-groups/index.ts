import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Config } from '../../../config/schema.js'
import type { DeviceGroupService } from '../../../services/device-group.service.js'
import { collection, pageRequest } from '../../paging.js'
import { ApiVersionQuery, Collection, PagedQuery, errorResponses } from '../../schemas/common.js'
import { DeviceSchema } from '../devices/schemas.js'
import {
  DeviceGroupBody,
  DeviceGroupIdParams,
  DeviceGroupPreviewBody,
  DeviceGroupSchema,
  IfMatchHeaders,
} from './schemas.js'

const writeErrors = { 409: errorResponses[400], 412: errorResponses[400], 422: errorResponses[400] }

/** `/api/deviceGroups`: named filters over the devices, each within an organization or the whole application. */
export const deviceGroupRoutes: FastifyPluginAsyncTypebox<{ deviceGroups: DeviceGroupService; config: Config }> = async (
  app,
  { deviceGroups, config },
) => {
  const tags = ['Device groups']

  app.get(
    '/deviceGroups',
    {
      config: { permission: 'deviceGroups.read' },
      schema: {
        tags,
        summary: 'List device groups, a page at a time (follow nextLink)',
        querystring: PagedQuery,
        response: { 200: Collection(DeviceGroupSchema), ...errorResponses },
      },
    },
    async (request) =>
      collection(request, config.publicUrl, request.query, await deviceGroups.list(request.principal, pageRequest(request.query))),
  )

  app.get(
    '/deviceGroups/:deviceGroupId',
    {
      config: { permission: 'deviceGroups.read' },
      schema: {
        tags,
        summary: 'Get a device group',
        params: DeviceGroupIdParams,
        querystring: ApiVersionQuery,
        response: { 200: DeviceGroupSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const group = await deviceGroups.get(request.principal, request.params.deviceGroupId)
      return reply.header('etag', `"${group.etag}"`).send(group)
    },
  )

  app.get(
    '/deviceGroups/:deviceGroupId/devices',
    {
      config: { permission: 'deviceGroups.read' },
      schema: {
        tags,
        summary: "List a device group's devices that the caller may read, a page at a time",
        params: DeviceGroupIdParams,
        querystring: PagedQuery,
        response: { 200: Collection(DeviceSchema), ...errorResponses },
      },
    },
    async (request) =>
      collection(
        request,
        config.publicUrl,
        request.query,
        await deviceGroups.devices(request.principal, request.params.deviceGroupId, pageRequest(request.query)),
      ),
  )

  app.put(
    '/deviceGroups/:deviceGroupId',
    {
      config: { permission: ['deviceGroups.create', 'deviceGroups.update'] },
      schema: {
        tags,
        summary: 'Create a device group, or replace its writable members',
        params: DeviceGroupIdParams,
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        body: DeviceGroupBody,
        response: { 200: DeviceGroupSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request, reply) => {
      const group = await deviceGroups.put(
        request.principal,
        request.params.deviceGroupId,
        request.body,
        request.headers['if-match'],
      )
      return reply.header('etag', `"${group.etag}"`).send(group)
    },
  )

  app.patch(
    '/deviceGroups/:deviceGroupId',
    {
      config: { permission: 'deviceGroups.update' },
      schema: {
        tags,
        summary: 'Change a device group (JSON merge patch)',
        params: DeviceGroupIdParams,
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        body: DeviceGroupBody,
        response: { 200: DeviceGroupSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request, reply) => {
      const group = await deviceGroups.patch(
        request.principal,
        request.params.deviceGroupId,
        request.body,
        request.headers['if-match'],
      )
      return reply.header('etag', `"${group.etag}"`).send(group)
    },
  )

  app.delete(
    '/deviceGroups/:deviceGroupId',
    {
      config: { permission: 'deviceGroups.delete' },
      schema: {
        tags,
        summary: 'Delete a device group (its devices stay)',
        params: DeviceGroupIdParams,
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        response: { 204: Type.Null(), 412: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      await deviceGroups.delete(request.principal, request.params.deviceGroupId, request.headers['if-match'])
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/deviceGroupPreview',
    {
      config: { permission: 'deviceGroups.read' },
      schema: {
        tags,
        summary: 'The first 25 devices a filter would hold, within the caller\'s reach (extension)',
        querystring: ApiVersionQuery,
        body: DeviceGroupPreviewBody,
        response: { 200: Type.Object({ value: Type.Array(DeviceSchema) }), 422: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => ({
      value: await deviceGroups.preview(request.principal, request.body.filter, request.body.organizations),
    }),
  )
}
