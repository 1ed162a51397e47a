import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { notFound } from '../../../errors/app-error.js'
import type { RoleCatalog, StoredRole } from '../../../services/role-catalog.js'
import type { RoleService } from '../../../services/role.service.js'
import { checkBodyId } from '../../body-id.js'
import { ApiVersionQuery, errorResponses } from '../../schemas/common.js'
import { PatchRoleBody, PutRoleBody, RoleIdParams, RoleSchema } from './schemas.js'

const view = (role: StoredRole) => ({
  id: role.id,
  displayName: role.displayName,
  type: role.type,
  permissions: [...role.permissions].sort(),
})

const writeErrors = { 409: errorResponses[400], 422: errorResponses[400] }

/**
 * `/api/roles`: the application's roles with their permissions (an extension of IoT Central's
 * shape), and custom roles (an extension: IoT Central's API only reads roles).
 */
export const roleRoutes: FastifyPluginAsyncTypebox<{
  roles: RoleCatalog
  customRoles: RoleService
}> = async (app, { roles, customRoles }) => {
  const tags = ['Roles']

  app.get(
    '/roles',
    {
      config: { permission: 'roles.read' },
      schema: {
        tags,
        summary: 'List the roles',
        querystring: ApiVersionQuery,
        response: { 200: Type.Object({ value: Type.Array(RoleSchema) }), ...errorResponses },
      },
    },
    async () => ({ value: [...(await roles.current()).values()].map(view) }),
  )

  app.get(
    '/roles/:roleId',
    {
      config: { permission: 'roles.read' },
      schema: {
        tags,
        summary: 'Get a role',
        params: RoleIdParams,
        querystring: ApiVersionQuery,
        response: { 200: RoleSchema, ...errorResponses },
      },
    },
    async (request) => {
      const role = (await roles.current()).get(request.params.roleId)
      if (!role) throw notFound(`The role '${request.params.roleId}'`)
      return view(role)
    },
  )

  app.put(
    '/roles/:roleId',
    {
      config: { permission: ['roles.create', 'roles.update'] },
      schema: {
        tags,
        summary: 'Create a custom role, or replace one (extension)',
        params: RoleIdParams,
        querystring: ApiVersionQuery,
        body: PutRoleBody,
        response: { 200: RoleSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) => {
      const { roleId } = request.params
      const { id, ...input } = request.body
      checkBodyId(id, roleId)
      return customRoles.put(request.principal, roleId, input)
    },
  )

  app.patch(
    '/roles/:roleId',
    {
      config: { permission: 'roles.update' },
      schema: {
        tags,
        summary: 'Change a custom role (JSON merge patch; extension)',
        params: RoleIdParams,
        querystring: ApiVersionQuery,
        body: PatchRoleBody,
        response: { 200: RoleSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) => {
      const { roleId } = request.params
      const { id, ...patch } = request.body
      checkBodyId(id, roleId)
      return customRoles.patch(request.principal, roleId, patch)
    },
  )

  app.delete(
    '/roles/:roleId',
    {
      config: { permission: 'roles.delete' },
      schema: {
        tags,
        summary: 'Delete a custom role nobody holds (extension)',
        params: RoleIdParams,
        querystring: ApiVersionQuery,
        response: { 204: Type.Null(), 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      await customRoles.delete(request.principal, request.params.roleId)
      return reply.code(204).send(null)
    },
  )
}
