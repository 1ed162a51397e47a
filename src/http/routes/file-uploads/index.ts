import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { FileUploadService } from '../../../services/file-upload.service.js'
import { ApiVersionQuery, errorResponses } from '../../schemas/common.js'
import { IfMatchHeaders } from '../devices/schemas.js'

const FileUploadSchema = Type.Object(
  {
    account: Type.Optional(Type.String()),
    connectionString: Type.String({ description: 'The key or signature is masked (*****).' }),
    container: Type.String(),
    sasTtl: Type.String({ description: 'ISO 8601 duration.' }),
    state: Type.Union([
      Type.Literal('pending'),
      Type.Literal('updating'),
      Type.Literal('deleting'),
      Type.Literal('succeeded'),
      Type.Literal('failed'),
    ]),
    etag: Type.String(),
  },
  { $id: 'FileUpload' },
)

const nullableText = (maxLength: number) =>
  Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength }), Type.Null()]))

/** PUT and PATCH take the same members; PATCH's `null` resets `account` and `sasTtl`. */
const FileUploadBody = Type.Object(
  {
    account: nullableText(200),
    connectionString: nullableText(4096),
    container: nullableText(63),
    sasTtl: nullableText(64),
    state: Type.Optional(Type.String({ description: 'Read-only; ignored.' })),
    etag: Type.Optional(Type.String({ description: 'When set, the write happens only if it is current.' })),
  },
  { additionalProperties: false },
)

const writeErrors = { 412: errorResponses[400], 422: errorResponses[400] }

/** `/api/fileUploads`: the application's file upload storage account (a singleton). */
export const fileUploadRoutes: FastifyPluginAsyncTypebox<{ fileUploads: FileUploadService }> = async (
  app,
  { fileUploads },
) => {
  const tags = ['File uploads']

  app.get(
    '/fileUploads',
    {
      config: { permission: 'fileUpload.read', capability: 'fileUploads' },
      schema: {
        tags,
        summary: 'Get the file upload storage configuration',
        querystring: ApiVersionQuery,
        response: { 200: FileUploadSchema, ...errorResponses },
      },
    },
    async (request) => fileUploads.get(request.principal),
  )

  app.put(
    '/fileUploads',
    {
      config: { permission: 'fileUpload.manage', capability: 'fileUploads' },
      schema: {
        tags,
        summary: 'Set the file upload storage configuration',
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        body: FileUploadBody,
        response: { 200: FileUploadSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) => fileUploads.put(request.principal, request.body, request.headers['if-match']),
  )

  app.patch(
    '/fileUploads',
    {
      config: { permission: 'fileUpload.manage', capability: 'fileUploads' },
      schema: {
        tags,
        summary: 'Change the file upload storage configuration (JSON merge patch)',
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        body: FileUploadBody,
        response: { 200: FileUploadSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) => fileUploads.patch(request.principal, request.body, request.headers['if-match']),
  )

  app.delete(
    '/fileUploads',
    {
      config: { permission: 'fileUpload.manage', capability: 'fileUploads' },
      schema: {
        tags,
        summary: 'Remove the file upload storage configuration',
        querystring: ApiVersionQuery,
        headers: IfMatchHeaders,
        response: { 204: Type.Null(), 412: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      await fileUploads.delete(request.principal, request.headers['if-match'])
      return reply.code(204).send(null)
    },
  )
}
