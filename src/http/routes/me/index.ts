import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Principal } from '../../../auth/principal.js'
import type { CallerService } from '../../../services/caller.service.js'
import { ApiVersionQuery, RolesSchema, errorResponses } from '../../schemas/common.js'

const Permissions = Type.Array(Type.String())

const CallerSchema = Type.Object(
  {
    principal: Type.Object({ type: Type.String(), id: Type.String() }),
    roles: Type.Array(RolesSchema.items),
    permissions: Type.Object({
      application: Permissions,
      organizations: Type.Record(Type.String(), Permissions),
    }),
  },
  { $id: 'Caller' },
)

/** `/api/me` (an extension): the caller's principal, role assignments and effective permissions. */
export const meRoutes: FastifyPluginAsyncTypebox<{ callers: CallerService }> = async (
  app,
  { callers },
) => {
  app.get(
    '/me',
    {
      // Anyone authenticated may ask what it may do; no permission is needed for that.
      config: { authenticated: true },
      schema: {
        tags: ['Me'],
        summary: 'Who am I, and what may I do where (extension)',
        querystring: ApiVersionQuery,
        response: { 200: CallerSchema, ...errorResponses },
      },
    },
    async (request) => callers.describe(request.principal as Principal),
  )
}
