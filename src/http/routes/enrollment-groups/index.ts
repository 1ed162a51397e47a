import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Config } from '../../../config/schema.js'
import type { EnrollmentGroupService } from '../../../services/enrollment-group.service.js'
import { jsonMergePatchOnly } from '../../merge-patch.js'
import { collection, pageRequest } from '../../paging.js'
import { ApiVersionQuery, Collection, PagedQuery, errorResponses } from '../../schemas/common.js'
import {
  CertificateParams,
  EnrollmentGroupBody,
  EnrollmentGroupParams,
  EnrollmentGroupSchema,
  SigningCertificateBody,
  SigningCertificateSchema,
  VerificationCertificateBody,
  VerificationCodeSchema,
} from './schemas.js'

const writeErrors = { 409: errorResponses[400], 412: errorResponses[400], 422: errorResponses[400] }

/** `/api/enrollmentGroups`: group enrollments and their X.509 signing certificates. */
export const enrollmentGroupRoutes: FastifyPluginAsyncTypebox<{
  enrollmentGroups: EnrollmentGroupService
  config: Config
}> = async (app, { enrollmentGroups, config }) => {
  const tags = ['Enrollment groups']
  const read = { permission: 'deviceConnectivity.readGlobal', capability: 'enrollmentGroups' } as const
  const manage = { permission: 'deviceConnectivity.manageGlobal', capability: 'enrollmentGroups' } as const

  app.get(
    '/enrollmentGroups',
    {
      config: read,
      schema: {
        tags,
        summary: 'List enrollment groups, a page at a time (keys only in GET of one group)',
        querystring: PagedQuery,
        response: { 200: Collection(EnrollmentGroupSchema), ...errorResponses },
      },
    },
    async (request) =>
      collection(
        request,
        config.publicUrl,
        request.query,
        await enrollmentGroups.list(request.principal, pageRequest(request.query)),
      ),
  )

  app.get(
    '/enrollmentGroups/:enrollmentGroupId',
    {
      config: read,
      schema: {
        tags,
        summary: 'Get an enrollment group',
        params: EnrollmentGroupParams,
        querystring: ApiVersionQuery,
        response: { 200: EnrollmentGroupSchema, ...errorResponses },
      },
    },
    async (request) => enrollmentGroups.get(request.principal, request.params.enrollmentGroupId),
  )

  app.put(
    '/enrollmentGroups/:enrollmentGroupId',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Create an enrollment group, or replace its writable members',
        params: EnrollmentGroupParams,
        querystring: ApiVersionQuery,
        body: EnrollmentGroupBody,
        response: { 200: EnrollmentGroupSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) =>
      enrollmentGroups.put(request.principal, request.params.enrollmentGroupId, request.body),
  )

  app.patch(
    '/enrollmentGroups/:enrollmentGroupId',
    {
      config: manage,
      preParsing: [jsonMergePatchOnly],
      schema: {
        tags,
        summary: 'Change an enrollment group (JSON merge patch)',
        params: EnrollmentGroupParams,
        querystring: ApiVersionQuery,
        body: EnrollmentGroupBody,
        response: { 200: EnrollmentGroupSchema, 415: errorResponses[400], ...writeErrors, ...errorResponses },
      },
    },
    async (request) =>
      enrollmentGroups.patch(request.principal, request.params.enrollmentGroupId, request.body),
  )

  app.delete(
    '/enrollmentGroups/:enrollmentGroupId',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Delete an enrollment group and its certificates',
        params: EnrollmentGroupParams,
        querystring: ApiVersionQuery,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await enrollmentGroups.delete(request.principal, request.params.enrollmentGroupId)
      return reply.code(204).send(null)
    },
  )

  const certificatePath = '/enrollmentGroups/:enrollmentGroupId/certificates/:entry'

  app.get(
    certificatePath,
    {
      config: read,
      schema: {
        tags,
        summary: 'Get the primary or secondary signing certificate of an X.509 group',
        params: CertificateParams,
        querystring: ApiVersionQuery,
        response: { 200: SigningCertificateSchema, ...errorResponses },
      },
    },
    async (request) =>
      enrollmentGroups.getCertificate(request.principal, request.params.enrollmentGroupId, request.params.entry),
  )

  app.put(
    certificatePath,
    {
      config: manage,
      schema: {
        tags,
        summary: 'Set a signing certificate of an X.509 group',
        params: CertificateParams,
        querystring: ApiVersionQuery,
        body: SigningCertificateBody,
        response: { 200: SigningCertificateSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) =>
      enrollmentGroups.putCertificate(
        request.principal,
        request.params.enrollmentGroupId,
        request.params.entry,
        request.body,
      ),
  )

  app.delete(
    certificatePath,
    {
      config: manage,
      schema: {
        tags,
        summary: 'Remove a signing certificate of an X.509 group',
        params: CertificateParams,
        querystring: ApiVersionQuery,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await enrollmentGroups.deleteCertificate(
        request.principal,
        request.params.enrollmentGroupId,
        request.params.entry,
      )
      return reply.code(204).send(null)
    },
  )

  app.post(
    `${certificatePath}/generateVerificationCode`,
    {
      config: manage,
      schema: {
        tags,
        summary: 'Generate the proof-of-possession code for a signing certificate',
        params: CertificateParams,
        querystring: ApiVersionQuery,
        response: { 200: VerificationCodeSchema, ...errorResponses },
      },
    },
    async (request) => ({
      verificationCode: await enrollmentGroups.generateVerificationCode(
        request.principal,
        request.params.enrollmentGroupId,
        request.params.entry,
      ),
    }),
  )

  app.post(
    `${certificatePath}/verify`,
    {
      config: manage,
      schema: {
        tags,
        summary: 'Verify a signing certificate with a certificate whose CN is the code, signed by its key',
        params: CertificateParams,
        querystring: ApiVersionQuery,
        body: VerificationCertificateBody,
        response: { 204: Type.Null(), ...writeErrors, ...errorResponses },
      },
    },
    async (request, reply) => {
      await enrollmentGroups.verifyCertificate(
        request.principal,
        request.params.enrollmentGroupId,
        request.params.entry,
        request.body.certificate,
      )
      return reply.code(204).send(null)
    },
  )
}
