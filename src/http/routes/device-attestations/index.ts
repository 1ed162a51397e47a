import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { MAX_CERTIFICATE_CHARS } from '../../../provisioning/certificates.js'
import type { DeviceAttestationService } from '../../../services/device-attestation.service.js'
import { ApiVersionQuery, errorResponses } from '../../schemas/common.js'

const DeviceIdParams = Type.Object({ deviceId: Type.String() })

const Thumbprint = Type.Object({ info: Type.Object({ sha1Thumbprint: Type.String() }) })
const ClientCertificates = Type.Object({
  primary: Type.Optional(Thumbprint),
  secondary: Type.Optional(Thumbprint),
})
const SymmetricKey = Type.Object({ primaryKey: Type.String(), secondaryKey: Type.String() })

export const AttestationSchema = Type.Object(
  {
    type: Type.String({ description: 'symmetricKey, x509 or tpm' }),
    symmetricKey: Type.Optional(SymmetricKey),
    x509: Type.Optional(Type.Object({ clientCertificates: ClientCertificates })),
    tpm: Type.Optional(Type.Object({ endorsementKey: Type.String() })),
  },
  { $id: 'Attestation' },
)

export const DeviceCredentialsSchema = Type.Object(
  {
    idScope: Type.String(),
    symmetricKey: Type.Optional(SymmetricKey),
    x509: Type.Optional(Type.Object({ clientCertificates: ClientCertificates })),
    tpm: Type.Optional(Type.Object({ endorsementKey: Type.String() })),
  },
  { $id: 'DeviceCredentials' },
)

const CertificateSlot = Type.Union([
  Type.Object(
    {
      certificate: Type.Optional(Type.String({ maxLength: MAX_CERTIFICATE_CHARS, description: 'PEM, or base64 DER.' })),
      info: Type.Optional(Type.Unknown({ description: 'Read-only; ignored.' })),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
])

/** PUT and PATCH take the same members (JSON merge patch for PATCH). */
export const AttestationBody = Type.Object(
  {
    type: Type.Optional(Type.Union([Type.String({ enum: ['symmetricKey', 'x509', 'tpm'] }), Type.Null()])),
    symmetricKey: Type.Optional(
      Type.Union([
        Type.Object(
          {
            primaryKey: Type.Optional(Type.String({ maxLength: 128 })),
            secondaryKey: Type.Optional(Type.String({ maxLength: 128 })),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
    x509: Type.Optional(
      Type.Union([
        Type.Object(
          {
            clientCertificates: Type.Optional(
              Type.Union([
                Type.Object(
                  { primary: Type.Optional(CertificateSlot), secondary: Type.Optional(CertificateSlot) },
                  { additionalProperties: false },
                ),
                Type.Null(),
              ]),
            ),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
    tpm: Type.Optional(
      Type.Union([
        Type.Object({ endorsementKey: Type.Optional(Type.String({ maxLength: 4096 })) }, { additionalProperties: false }),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
)

const writeErrors = { 422: errorResponses[400] }

/** `/api/devices/{deviceId}/attestation` and `/credentials`: a device's individual enrollment. */
export const deviceAttestationRoutes: FastifyPluginAsyncTypebox<{
  deviceAttestations: DeviceAttestationService
}> = async (app, { deviceAttestations }) => {
  const tags = ['Devices']

  app.get(
    '/devices/:deviceId/attestation',
    {
      config: { permission: 'deviceConnectivity.readInstance' },
      schema: {
        tags,
        summary: "Get a device's own attestation (X.509: thumbprints, not certificates)",
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        response: { 200: AttestationSchema, ...errorResponses },
      },
    },
    async (request) => deviceAttestations.get(request.principal, request.params.deviceId),
  )

  app.put(
    '/devices/:deviceId/attestation',
    {
      config: { permission: 'deviceConnectivity.manageInstance' },
      schema: {
        tags,
        summary: "Create or replace a device's own attestation",
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        body: AttestationBody,
        response: { 200: AttestationSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) => deviceAttestations.put(request.principal, request.params.deviceId, request.body),
  )

  app.patch(
    '/devices/:deviceId/attestation',
    {
      config: { permission: 'deviceConnectivity.manageInstance' },
      schema: {
        tags,
        summary: "Change a device's own attestation (JSON merge patch)",
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        body: AttestationBody,
        response: { 200: AttestationSchema, ...writeErrors, ...errorResponses },
      },
    },
    async (request) => deviceAttestations.patch(request.principal, request.params.deviceId, request.body),
  )

  app.delete(
    '/devices/:deviceId/attestation',
    {
      config: { permission: 'deviceConnectivity.manageInstance' },
      schema: {
        tags,
        summary: "Remove a device's own attestation (it then connects with its group's keys)",
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deviceAttestations.delete(request.principal, request.params.deviceId)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/devices/:deviceId/credentials',
    {
      config: { permission: 'deviceConnectivity.readInstance' },
      schema: {
        tags,
        summary: 'Get the ID scope and the credentials a device connects with',
        params: DeviceIdParams,
        querystring: ApiVersionQuery,
        response: { 200: DeviceCredentialsSchema, ...errorResponses },
      },
    },
    async (request) => deviceAttestations.credentials(request.principal, request.params.deviceId),
  )
}
