import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { OrganizationService } from '../../../services/organization.service.js'
import { checkBodyId } from '../../body-id.js'
import { ApiVersionQuery, errorResponses } from '../../schemas/common.js'
import {
  OrganizationIdParams,
  OrganizationSchema,
  PatchOrganizationBody,
  PutOrganizationBody,
} from './schemas.js'

const writeErrors = { 409: errorResponses[400], 422: errorResponses[400] }

/** `/api/organizations`: the hierarchy that scopes devices, users and API tokens. */
export const organizationRoutes: FastifyPluginAsyncTypebox<{
  organizations: OrganizationService
}> = async (app, { organizations }) => {
  const tags = ['Organizations']

  app.get(
    '/organizations',
    {
      config: { permission: 'organizations.read', capability: 'organizations' },
      schema: {
        tags,
        summary: 'List the organizations the caller reaches',
        querystring: ApiVersionQuery,
        response: {
          200: Type.Object({ value: Type.Array(OrganizationSchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => ({ value: await organizations.list(request.principal) }),
  )

  app.get(
    '/organizations/:organizationId',
    {
      config: { permission: 'organizations.read', capability: 'organizations' },
      schema: {
        tags,
        summary: 'Get an organization',
        params: OrganizationIdParams,
        querystring: ApiVersionQuery,
        response: { 200: OrganizationSchema, ...errorResponses },
      },
    },
    async (request) => organizations.get(request.principal, request.params.organizationId),
  )

  app.put(
    '/organizations/:organizationId',
    {
      config: { permission: ['organizations.create', 'organizations.update'], capability: 'organizations' },
      schema: {
        tags,
        summary: 'Create an organization, or replace its name and parent',
        params: OrganizationIdParams,
        querystring: ApiVersionQuery,
        body: PutOrganizationBody,
        response: { 200: OrganizationSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = request.params
      const { id, ...input } = request.body
      checkBodyId(id, organizationId)
      return organizations.put(request.principal, organizationId, input)
    },
  )

  app.patch(
    '/organizations/:organizationId',
    {
      config: { permission: 'organizations.update', capability: 'organizations' },
      schema: {
        tags,
        summary: 'Rename or move an organization (JSON merge patch)',
        params: OrganizationIdParams,
        querystring: ApiVersionQuery,
        body: PatchOrganizationBody,
        response: { 200: OrganizationSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = request.params
      const { id, ...patch } = request.body
      checkBodyId(id, organizationId)
      return organizations.patch(request.principal, organizationId, patch)
    },
  )

  app.delete(
    '/organizations/:organizationId',
    {
      config: { permission: 'organizations.delete', capability: 'organizations' },
      schema: {
        tags,
        summary: 'Delete an organization that holds nothing any more',
        params: OrganizationIdParams,
        querystring: ApiVersionQuery,
        response: { 204: Type.Null(), 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      await organizations.delete(request.principal, request.params.organizationId)
      return reply.code(204).send(null)
    },
  )
}
