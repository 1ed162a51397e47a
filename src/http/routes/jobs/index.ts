import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Config } from '../../../config/schema.js'
import type { JobService } from '../../../services/job.service.js'
import { collection, pageRequest } from '../../paging.js'
import { ApiVersionQuery, Collection, PagedQuery, errorResponses } from '../../schemas/common.js'
import { AnyBody, JobDeviceStatusSchema, JobIdParams, JobSchema, RerunParams } from './schemas.js'

const writeErrors = { 409: errorResponses[400], 422: errorResponses[400] }

/** `/api/jobs`: jobs over the devices of a device group, carried out by the job runner. */
export const jobRoutes: FastifyPluginAsyncTypebox<{ jobs: JobService; config: Config }> = async (
  app,
  { jobs, config },
) => {
  const tags = ['Jobs']

  app.get(
    '/jobs',
    {
      config: { permission: 'jobs.read' },
      schema: {
        tags,
        summary: 'List jobs, a page at a time (follow nextLink)',
        querystring: PagedQuery,
        response: { 200: Collection(JobSchema), ...errorResponses },
      },
    },
    async (request) =>
      collection(request, config.publicUrl, request.query, await jobs.list(request.principal, pageRequest(request.query))),
  )

  app.get(
    '/jobs/:jobId',
    {
      config: { permission: 'jobs.read' },
      schema: {
        tags,
        summary: 'Get a job, with its status and progress',
        params: JobIdParams,
        querystring: ApiVersionQuery,
        response: { 200: JobSchema, ...errorResponses },
      },
    },
    async (request) => jobs.get(request.principal, request.params.jobId),
  )

  app.put(
    '/jobs/:jobId',
    {
      config: { permission: 'jobs.create' },
      schema: {
        tags,
        summary: 'Create a job and start it (needs jobs.create and jobs.execute)',
        params: JobIdParams,
        querystring: ApiVersionQuery,
        body: AnyBody,
        response: { 200: JobSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) => jobs.create(request.principal, request.params.jobId, request.body),
  )

  app.get(
    '/jobs/:jobId/devices',
    {
      config: { permission: 'jobs.read' },
      schema: {
        tags,
        summary: "The job's devices and how each fared, a page at a time",
        params: JobIdParams,
        querystring: PagedQuery,
        response: { 200: Collection(JobDeviceStatusSchema), ...errorResponses },
      },
    },
    async (request) =>
      collection(
        request,
        config.publicUrl,
        request.query,
        await jobs.devices(request.principal, request.params.jobId, pageRequest(request.query)),
      ),
  )

  app.put(
    '/jobs/:jobId/rerun/:rerunId',
    {
      config: { permission: 'jobs.execute' },
      schema: {
        tags,
        summary: 'Run the job again, as a new job, on the devices where it failed',
        params: RerunParams,
        querystring: ApiVersionQuery,
        response: { 200: JobSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) => jobs.rerun(request.principal, request.params.jobId, request.params.rerunId),
  )

  for (const action of ['stop', 'resume'] as const) {
    app.post(
      `/jobs/:jobId/${action}`,
      {
        config: { permission: 'jobs.execute' },
        schema: {
          tags,
          summary: action === 'stop' ? 'Stop a running job' : 'Resume a stopped job',
          params: JobIdParams,
          querystring: ApiVersionQuery,
          response: { 204: Type.Null(), 409: errorResponses[400], ...errorResponses },
        },
      },
      async (request, reply) => {
        await jobs[action](request.principal, request.params.jobId)
        return reply.code(204).send(null)
      },
    )
  }
}
