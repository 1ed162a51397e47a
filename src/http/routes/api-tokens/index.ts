import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { checkBodyId } from '../../body-id.js'
import type { ApiTokenService } from '../../../services/api-token.service.js'
import { ApiVersionQuery, errorResponses } from '../../schemas/common.js'
import { ApiTokenSchema, CreateApiTokenBody, RotateApiTokenBody, TokenIdParams } from './schemas.js'
import type { ApiVersion } from '../../api-versions.js'
import { checkRolesFor, rolesFor } from '../../versioned.js'

/** A token as the version shows it (role assignments without `organization` in 1.0). */
function tokenFor<T extends { roles: { role: string; organization?: string | undefined }[] }>(
  version: ApiVersion,
  token: T,
): T {
  return { ...token, roles: rolesFor(version, token.roles) }
}

/** `/api/apiTokens`: IoT Central's API token operations. */
export const apiTokenRoutes: FastifyPluginAsyncTypebox<{ apiTokens: ApiTokenService }> = async (
  app,
  { apiTokens },
) => {
  app.get(
    '/apiTokens',
    {
      config: { permission: 'apiTokens.read' },
      schema: {
        tags: ['API tokens'],
        summary: 'List the API tokens (never their values)',
        querystring: ApiVersionQuery,
        response: { 200: Type.Object({ value: Type.Array(ApiTokenSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      value: (await apiTokens.list(request.principal)).map((token) => tokenFor(request.apiVersion, token)),
    }),
  )

  app.get(
    '/apiTokens/:tokenId',
    {
      config: { permission: 'apiTokens.read' },
      schema: {
        tags: ['API tokens'],
        summary: 'Get an API token (never its value)',
        params: TokenIdParams,
        querystring: ApiVersionQuery,
        response: { 200: ApiTokenSchema, ...errorResponses },
      },
    },
    async (request) => tokenFor(request.apiVersion, await apiTokens.get(request.principal, request.params.tokenId)),
  )

  app.put(
    '/apiTokens/:tokenId',
    {
      config: { permission: 'apiTokens.create' },
      schema: {
        tags: ['API tokens'],
        summary: 'Create an API token; the response holds its value, shown this once',
        params: TokenIdParams,
        querystring: ApiVersionQuery,
        body: CreateApiTokenBody,
        response: { 200: ApiTokenSchema, 409: errorResponses[400], 422: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const { tokenId } = request.params
      const { id, roles, expiry, description } = request.body
      checkBodyId(id, tokenId)
      checkRolesFor(request.apiVersion, roles)
      return tokenFor(request.apiVersion, await apiTokens.create(request.principal, tokenId, { roles, expiry, description }))
    },
  )

  app.post(
    '/apiTokens/:tokenId/rotate',
    {
      config: { permission: 'apiTokens.create' },
      // A rotation with the default overlap needs no body at all.
      preValidation: async (request) => {
        request.body ??= {}
      },
      schema: {
        tags: ['API tokens'],
        summary:
          'Issue a new secret for a token (extension); the response holds the new value, shown this once. The old one works for overlapMinutes more.',
        params: TokenIdParams,
        querystring: ApiVersionQuery,
        body: RotateApiTokenBody,
        response: { 200: ApiTokenSchema, 409: errorResponses[400], 422: errorResponses[400], ...errorResponses },
      },
    },
    async (request) =>
      tokenFor(
        request.apiVersion,
        await apiTokens.rotate(request.principal, request.params.tokenId, request.body?.overlapMinutes),
      ),
  )

  app.delete(
    '/apiTokens/:tokenId',
    {
      config: { permission: 'apiTokens.delete' },
      schema: {
        tags: ['API tokens'],
        summary: 'Revoke an API token, at once',
        params: TokenIdParams,
        querystring: ApiVersionQuery,
        response: { 204: Type.Null(), 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      await apiTokens.delete(request.principal, request.params.tokenId)
      return reply.code(204).send(null)
    },
  )
}
