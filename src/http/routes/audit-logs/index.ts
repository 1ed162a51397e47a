import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Config } from '../../../config/schema.js'
import type { AuditLogService } from '../../../services/audit-log.service.js'
import { collection, pageRequest } from '../../paging.js'
import { Collection, errorResponses } from '../../schemas/common.js'
import { AuditLogQuery, AuditLogSchema } from './schemas.js'

/** `/api/auditLogs` (an extension): who changed what, when and from where, newest first. */
export const auditLogRoutes: FastifyPluginAsyncTypebox<{ auditLogs: AuditLogService; config: Config }> = async (
  app,
  { auditLogs, config },
) => {
  app.get(
    '/auditLogs',
    {
      config: { permission: 'auditLog.read' },
      schema: {
        tags: ['Audit log'],
        summary: 'List audit records, newest first, a page at a time (extension; filters: from, to, actor, action)',
        querystring: AuditLogQuery,
        response: { 200: Collection(AuditLogSchema), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { from, to, actor, action } = request.query
      const page = await auditLogs.list(request.principal, { from, to, actor, action }, pageRequest(request.query))
      const body = collection(request, config.publicUrl, request.query, page)
      if (body.nextLink) body.nextLink = withFilters(body.nextLink, { from, to, actor, action })
      return reply.send(body)
    },
  )
}

/** The next page keeps the filters. */
function withFilters(link: string, filters: Record<string, string | undefined>): string {
  const url = new URL(link)
  for (const [name, value] of Object.entries(filters)) if (value !== undefined) url.searchParams.set(name, value)
  return url.toString()
}
