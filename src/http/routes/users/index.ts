import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Config } from '../../../config/schema.js'
import { unprocessable } from '../../../errors/app-error.js'
import type { UserService } from '../../../services/user.service.js'
import { checkBodyId } from '../../body-id.js'
import { collection, pageRequest } from '../../paging.js'
import { ApiVersionQuery, Collection, PagedQuery, errorResponses } from '../../schemas/common.js'
import { supports, type ApiVersion } from '../../api-versions.js'
import { checkRolesFor, rolesFor } from '../../versioned.js'
import { PatchUserBody, PutUserBody, USER_ID_PATTERN, UserIdParams, UserSchema } from './schemas.js'

const USER_ID = new RegExp(USER_ID_PATTERN)

/** A user as the version shows it (role assignments without `organization` in 1.0). */
function userFor<T extends { roles: { role: string; organization?: string | undefined }[] }>(
  version: ApiVersion,
  user: T,
): T {
  return supports(version, 'organizations') ? user : { ...user, roles: rolesFor(version, user.roles) }
}

/** 1.0 knows neither directory-group users nor organizations in role assignments. */
function checkUserFor(
  version: ApiVersion,
  body: { type?: string | undefined; roles?: { role: string; organization?: string | undefined }[] | undefined },
): void {
  if (body.type === 'adGroup' && !supports(version, 'adGroupUsers')) {
    throw unprocessable(`type: 'adGroup' users do not exist in api-version ${version}; use email or servicePrincipal.`)
  }
  checkRolesFor(version, body.roles)
}

/** `/api/users`: people, service principals and directory groups with their roles. */
export const userRoutes: FastifyPluginAsyncTypebox<{ users: UserService; config: Config }> = async (
  app,
  { users, config },
) => {
  const tags = ['Users']

  app.get(
    '/users',
    {
      config: { permission: 'users.read' },
      schema: {
        tags,
        summary: 'List the users',
        querystring: PagedQuery,
        response: { 200: Collection(UserSchema), ...errorResponses },
      },
    },
    async (request) => {
      const page = await users.list(request.principal, pageRequest(request.query))
      const items = page.items.map((user) => userFor(request.apiVersion, user))
      return collection(request, config.publicUrl, request.query, { ...page, items })
    },
  )

  app.get(
    '/users/:userId',
    {
      config: { permission: 'users.read' },
      schema: {
        tags,
        summary: 'Get a user',
        params: UserIdParams,
        querystring: ApiVersionQuery,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (request) => userFor(request.apiVersion, await users.get(request.principal, request.params.userId)),
  )

  app.put(
    '/users/:userId',
    {
      config: { permission: 'users.create' },
      schema: {
        tags,
        summary: 'Add a user, or replace one',
        params: UserIdParams,
        querystring: ApiVersionQuery,
        body: PutUserBody,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { userId } = request.params
      if (!USER_ID.test(userId)) {
        throw unprocessable(`userId: '${userId}' is not a valid user id (1-48 letters, digits, '-' or '_').`)
      }
      const { id, ...input } = request.body
      checkBodyId(id, userId)
      checkUserFor(request.apiVersion, input)
      return userFor(request.apiVersion, await users.put(request.principal, userId, input))
    },
  )

  app.patch(
    '/users/:userId',
    {
      config: { permission: 'users.update' },
      schema: {
        tags,
        summary: 'Change a user (JSON merge patch)',
        params: UserIdParams,
        querystring: ApiVersionQuery,
        body: PatchUserBody,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id, ...patch } = request.body
      checkBodyId(id, request.params.userId)
      checkUserFor(request.apiVersion, patch)
      return userFor(request.apiVersion, await users.patch(request.principal, request.params.userId, patch))
    },
  )

  app.delete(
    '/users/:userId',
    {
      config: { permission: 'users.delete' },
      schema: {
        tags,
        summary: 'Remove a user',
        params: UserIdParams,
        querystring: ApiVersionQuery,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await users.delete(request.principal, request.params.userId)
      return reply.code(204).send(null)
    },
  )
}
