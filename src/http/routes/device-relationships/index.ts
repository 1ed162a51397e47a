import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Config } from '../../../config/schema.js'
import type { DeviceRelationshipService } from '../../../services/device-relationship.service.js'
import { jsonMergePatchOnly } from '../../merge-patch.js'
import { collection, pageRequest } from '../../paging.js'
import { ApiVersionQuery, Collection, PagedQuery, errorResponses } from '../../schemas/common.js'
import { DeviceIdParams } from '../devices/schemas.js'

const Params = Type.Object({ deviceId: Type.String(), relationshipId: Type.String() })

const RelationshipSchema = Type.Object(
  { id: Type.String(), source: Type.String(), target: Type.String() },
  { $id: 'DeviceRelationship' },
)

const RelationshipBody = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'Read-only; tolerated when equal to the path id.' })),
    source: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Null()])),
    target: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Null()])),
  },
  { additionalProperties: false },
)

const writeErrors = { 409: errorResponses[400], 422: errorResponses[400] }

/** `/api/devices/{deviceId}/relationships`: gateway ↔ downstream relationships, reached from either end. */
export const deviceRelationshipRoutes: FastifyPluginAsyncTypebox<{
  relationships: DeviceRelationshipService
  config: Config
}> = async (app, { relationships, config }) => {
  const tags = ['Device relationships']

  app.get(
    '/devices/:deviceId/relationships',
    {
      config: { permission: 'devices.read', capability: 'relationships' },
      schema: {
        tags,
        summary: "List a device's relationships, both directions, one level (follow nextLink)",
        params: DeviceIdParams,
        querystring: PagedQuery,
        response: { 200: Collection(RelationshipSchema), ...errorResponses },
      },
    },
    async (request) =>
      collection(
        request,
        config.publicUrl,
        request.query,
        await relationships.list(request.principal, request.params.deviceId, pageRequest(request.query)),
      ),
  )

  app.get(
    '/devices/:deviceId/relationships/:relationshipId',
    {
      config: { permission: 'devices.read', capability: 'relationships' },
      schema: {
        tags,
        summary: 'Get a relationship of the device',
        params: Params,
        querystring: ApiVersionQuery,
        response: { 200: RelationshipSchema, ...errorResponses },
      },
    },
    async (request) =>
      relationships.get(request.principal, request.params.deviceId, request.params.relationshipId),
  )

  app.put(
    '/devices/:deviceId/relationships/:relationshipId',
    {
      config: { permission: 'devices.update', capability: 'relationships' },
      schema: {
        tags,
        summary: 'Create a relationship, or replace its ends',
        params: Params,
        querystring: ApiVersionQuery,
        body: RelationshipBody,
        response: { 200: RelationshipSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) =>
      relationships.put(
        request.principal,
        request.params.deviceId,
        request.params.relationshipId,
        request.body,
      ),
  )

  app.patch(
    '/devices/:deviceId/relationships/:relationshipId',
    {
      config: { permission: 'devices.update', capability: 'relationships' },
      preParsing: jsonMergePatchOnly,
      schema: {
        tags,
        summary: 'Change a relationship (JSON merge patch)',
        params: Params,
        querystring: ApiVersionQuery,
        body: RelationshipBody,
        response: { 200: RelationshipSchema, 415: errorResponses[400], ...writeErrors, ...errorResponses },
      },
    },
    async (request) =>
      relationships.patch(
        request.principal,
        request.params.deviceId,
        request.params.relationshipId,
        request.body,
      ),
  )

  app.delete(
    '/devices/:deviceId/relationships/:relationshipId',
    {
      config: { permission: 'devices.update', capability: 'relationships' },
      schema: {
        tags,
        summary: 'Delete a relationship (from either of its devices)',
        params: Params,
        querystring: ApiVersionQuery,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await relationships.delete(request.principal, request.params.deviceId, request.params.relationshipId)
      return reply.code(204).send(null)
    },
  )
}
