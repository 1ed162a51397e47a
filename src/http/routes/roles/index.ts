import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { notFound } from '../../../errors/app-error.js'
import type { RoleCatalog, StoredRole } from '../../../services/role-catalog.js'
import { ApiVersionQuery, errorResponses } from '../../schemas/common.js'

const RoleSchema = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    type: Type.Optional(Type.String({ description: 'application or organization (extension).' })),
    permissions: Type.Optional(
      Type.Array(Type.String(), { description: 'Permissions the role grants (extension).' }),
    ),
  },
  { $id: 'Role' },
)

const view = (role: StoredRole) => ({
  id: role.id,
  displayName: role.displayName,
  type: role.type,
  permissions: [...role.permissions].sort(),
})

/** `/api/roles`: the application's roles, with their permissions (an extension of IoT Central's shape). */
export const roleRoutes: FastifyPluginAsyncTypebox<{ roles: RoleCatalog }> = async (app, { roles }) => {
  app.get(
    '/roles',
    {
      config: { permission: 'roles.read' },
      schema: {
        tags: ['Roles'],
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
        tags: ['Roles'],
        summary: 'Get a role',
        params: Type.Object({ roleId: Type.String() }),
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
}
