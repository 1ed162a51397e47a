import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Config } from '../../../config/schema.js'
import type { DeviceTemplateService } from '../../../services/device-template.service.js'
import { collection, pageRequest } from '../../paging.js'
import { ApiVersionQuery, Collection, PagedQuery, errorResponses } from '../../schemas/common.js'
import { IfMatchHeaders } from '../devices/schemas.js'

const Params = Type.Object({ deviceTemplateId: Type.String() })

const DeviceTemplateSchema = Type.Object(
  {
    '@id': Type.String(),
    '@type': Type.Union([Type.String(), Type.Array(Type.String())]),
    etag: Type.String(),
    displayName: Type.Optional(Type.Unknown()),
    description: Type.Optional(Type.Unknown()),
    capabilityModel: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'DeviceTemplate', additionalProperties: true },
)

const DeviceTemplateBody = Type.Object(
  {
    '@id': Type.Optional(Type.String()),
    '@type': Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
    etag: Type.Optional(Type.String()),
    displayName: Type.Optional(Type.Union([Type.String(), Type.Record(Type.String(), Type.String())])),
    description: Type.Optional(Type.Union([Type.String(), Type.Record(Type.String(), Type.String())])),
    capabilityModel: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: true },
)

const localized = Type.Union([Type.String(), Type.Record(Type.String(), Type.String())])

/** A JSON merge patch: `null` removes a member (`@type` and `capabilityModel` must remain). */
const DeviceTemplatePatch = Type.Object(
  {
    '@id': Type.Optional(Type.String()),
    '@type': Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }), Type.Null()]),
    ),
    etag: Type.Optional(Type.String()),
    displayName: Type.Optional(Type.Union([localized, Type.Null()])),
    description: Type.Optional(Type.Union([localized, Type.Null()])),
    capabilityModel: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: true },
)

/** `/api/deviceTemplates`: DTDL device templates, published on create. */
export const deviceTemplateRoutes: FastifyPluginAsyncTypebox<{
  deviceTemplates: DeviceTemplateService
  config: Config
}> = async (app, { deviceTemplates, config }) => {
  const tags = ['Device templates']

  app.get(
    '/deviceTemplates',
    {
      config: { permission: 'deviceTemplates.read' },
      schema: {
        tags,
        summary: 'List device templates',
        querystring: PagedQuery,
        response: { 200: Collection(DeviceTemplateSchema), ...errorResponses },
      },
    },
    async (request) =>
      collection(
        request,
        config.publicUrl,
        request.query,
        await deviceTemplates.list(pageRequest(request.query)),
      ),
  )

  app.get(
    '/deviceTemplates/:deviceTemplateId',
    {
      config: { permission: 'deviceTemplates.read' },
      schema: {
        tags,
        summary: 'Get a device template',
        params: Params,
        querystring: ApiVersionQuery,
        response: { 200: DeviceTemplateSchema, ...errorResponses },
      },
    },
    async (request) => deviceTemplates.get(request.params.deviceTemplateId),
  )

  app.put(
    '/deviceTemplates/:deviceTemplateId',
    {
      config: { permission: 'deviceTemplates.manage' },
      schema: {
        tags,
        summary: 'Create and publish a device template, or replace it',
        params: Params,
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        body: DeviceTemplateBody,
        response: { 200: DeviceTemplateSchema, 409: errorResponses[400], 412: errorResponses[400], 422: errorResponses[400], ...errorResponses },
      },
    },
    async (request) =>
      deviceTemplates.put(
        request.principal,
        request.params.deviceTemplateId,
        request.body as Record<string, unknown>,
        request.headers['if-match'],
      ),
  )

  app.patch(
    '/deviceTemplates/:deviceTemplateId',
    {
      config: { permission: 'deviceTemplates.manage' },
      schema: {
        tags,
        summary: 'Change a device template (JSON merge patch): names, cloud properties, overrides, compatible additions',
        params: Params,
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        body: DeviceTemplatePatch,
        response: {
          200: DeviceTemplateSchema,
          409: errorResponses[400],
          412: errorResponses[400],
          422: errorResponses[400],
          ...errorResponses,
        },
      },
    },
    async (request) =>
      deviceTemplates.patch(
        request.principal,
        request.params.deviceTemplateId,
        request.body as Record<string, unknown>,
        request.headers['if-match'],
      ),
  )

  app.delete(
    '/deviceTemplates/:deviceTemplateId',
    {
      config: { permission: 'deviceTemplates.manage' },
      schema: {
        tags,
        summary: 'Delete a device template that no device uses',
        params: Params,
        querystring: ApiVersionQuery,
        response: { 204: Type.Null(), 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      await deviceTemplates.delete(request.principal, request.params.deviceTemplateId)
      return reply.code(204).send(null)
    },
  )
}
