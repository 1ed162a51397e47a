import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Config } from '../../../config/schema.js'
import type { ScheduledJobService } from '../../../services/scheduled-job.service.js'
import { jsonMergePatchOnly } from '../../merge-patch.js'
import { collection, pageRequest } from '../../paging.js'
import { ApiVersionQuery, Collection, PagedQuery, errorResponses } from '../../schemas/common.js'
import { AnyBody, IfMatchHeaders, JobSchema, ScheduledJobIdParams, ScheduledJobSchema } from '../jobs/schemas.js'

const writeErrors = { 409: errorResponses[400], 412: errorResponses[400], 422: errorResponses[400] }

/** `/api/scheduledJobs`: job definitions started on a schedule. */
export const scheduledJobRoutes: FastifyPluginAsyncTypebox<{
  scheduledJobs: ScheduledJobService
  config: Config
}> = async (app, { scheduledJobs, config }) => {
  const tags = ['Scheduled jobs']

  app.get(
    '/scheduledJobs',
    {
      config: { permission: 'jobs.read', capability: 'scheduledJobs' },
      schema: {
        tags,
        summary: 'List scheduled jobs, a page at a time (follow nextLink)',
        querystring: PagedQuery,
        response: { 200: Collection(ScheduledJobSchema), ...errorResponses },
      },
    },
    async (request) =>
      collection(
        request,
        config.publicUrl,
        request.query,
        await scheduledJobs.list(request.principal, pageRequest(request.query)),
      ),
  )

  app.get(
    '/scheduledJobs/:scheduledJobId',
    {
      config: { permission: 'jobs.read', capability: 'scheduledJobs' },
      schema: {
        tags,
        summary: 'Get a scheduled job',
        params: ScheduledJobIdParams,
        querystring: ApiVersionQuery,
        response: { 200: ScheduledJobSchema, ...errorResponses },
      },
    },
    async (request) => scheduledJobs.get(request.principal, request.params.scheduledJobId),
  )

  app.put(
    '/scheduledJobs/:scheduledJobId',
    {
      config: { permission: ['jobs.create', 'jobs.update'], capability: 'scheduledJobs' },
      schema: {
        tags,
        summary: 'Create a scheduled job, or replace it (jobs.update)',
        params: ScheduledJobIdParams,
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        body: AnyBody,
        response: { 200: ScheduledJobSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) =>
      scheduledJobs.put(
        request.principal,
        request.params.scheduledJobId,
        request.body,
        request.headers['if-match'],
      ),
  )

  app.patch(
    '/scheduledJobs/:scheduledJobId',
    {
      config: { permission: 'jobs.update', capability: 'scheduledJobs' },
      preParsing: jsonMergePatchOnly,
      schema: {
        tags,
        summary: 'Change a scheduled job (JSON merge patch)',
        params: ScheduledJobIdParams,
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        body: AnyBody,
        response: { 200: ScheduledJobSchema, 415: errorResponses[400], ...writeErrors, ...errorResponses },
      },
    },
    async (request) =>
      scheduledJobs.patch(
        request.principal,
        request.params.scheduledJobId,
        request.body,
        request.headers['if-match'],
      ),
  )

  app.delete(
    '/scheduledJobs/:scheduledJobId',
    {
      config: { permission: 'jobs.delete', capability: 'scheduledJobs' },
      schema: {
        tags,
        summary: 'Delete a scheduled job (the jobs it started stay)',
        params: ScheduledJobIdParams,
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        response: { 204: Type.Null(), 412: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      await scheduledJobs.delete(request.principal, request.params.scheduledJobId, request.headers['if-match'])
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/scheduledJobs/:scheduledJobId/jobs',
    {
      config: { permission: 'jobs.read', capability: 'scheduledJobs' },
      schema: {
        tags,
        summary: 'The jobs the scheduled job has started, a page at a time',
        params: ScheduledJobIdParams,
        querystring: PagedQuery,
        response: { 200: Collection(JobSchema), ...errorResponses },
      },
    },
    async (request) =>
      collection(
        request,
        config.publicUrl,
        request.query,
        await scheduledJobs.jobsOf(request.principal, request.params.scheduledJobId, pageRequest(request.query)),
      ),
  )
}
