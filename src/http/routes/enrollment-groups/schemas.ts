import { Type } from 'typebox'
import { MAX_CERTIFICATE_CHARS } from '../../../provisioning/certificates.js'

export const EnrollmentGroupParams = Type.Object({ enrollmentGroupId: Type.String() })
export const CertificateParams = Type.Object({ enrollmentGroupId: Type.String(), entry: Type.String() })

const Key = Type.String({ maxLength: 128, description: 'Base64 of 16 to 64 bytes.' })
const Certificate = Type.String({ maxLength: MAX_CERTIFICATE_CHARS, description: 'PEM, or base64 DER.' })

export const SigningCertificateSchema = Type.Object(
  {
    verified: Type.Boolean(),
    info: Type.Object({ sha1Thumbprint: Type.String() }),
    etag: Type.String(),
  },
  { $id: 'SigningX509Certificate' },
)

export const EnrollmentGroupSchema = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    enabled: Type.Boolean(),
    type: Type.String({ description: 'iot or iotEdge' }),
    attestation: Type.Object({
      type: Type.String({ description: 'symmetricKey or x509' }),
      symmetricKey: Type.Optional(Type.Object({ primaryKey: Type.String(), secondaryKey: Type.String() })),
      x509: Type.Optional(
        Type.Object({
          signingCertificates: Type.Object({
            primary: Type.Optional(SigningCertificateSchema),
            secondary: Type.Optional(SigningCertificateSchema),
          }),
        }),
      ),
    }),
    etag: Type.String(),
  },
  { $id: 'EnrollmentGroup' },
)

const SigningCertificateInput = Type.Object(
  {
    certificate: Type.Optional(Certificate),
    verified: Type.Optional(Type.Boolean()),
    etag: Type.Optional(Type.String({ maxLength: 128 })),
    info: Type.Optional(Type.Unknown({ description: 'Read-only; ignored.' })),
  },
  { additionalProperties: false },
)

/** PUT and PATCH take the same members; PATCH's `null` removes a certificate (JSON merge patch). */
export const EnrollmentGroupBody = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'Read-only; tolerated when equal to the path id.' })),
    etag: Type.Optional(Type.String({ maxLength: 128, description: 'When set, the write happens only if it is current.' })),
    displayName: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    type: Type.Optional(Type.Union([Type.String({ enum: ['iot', 'iotEdge'] }), Type.Null()])),
    attestation: Type.Optional(
      Type.Union([
        Type.Object(
          {
            type: Type.Optional(Type.String({ enum: ['symmetricKey', 'x509'] })),
            symmetricKey: Type.Optional(
              Type.Union([
                Type.Object(
                  { primaryKey: Type.Optional(Key), secondaryKey: Type.Optional(Key) },
                  { additionalProperties: false },
                ),
                Type.Null(),
              ]),
            ),
            x509: Type.Optional(
              Type.Union([
                Type.Object(
                  {
                    signingCertificates: Type.Optional(
                      Type.Union([
                        Type.Object(
                          {
                            primary: Type.Optional(Type.Union([SigningCertificateInput, Type.Null()])),
                            secondary: Type.Optional(Type.Union([SigningCertificateInput, Type.Null()])),
                          },
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
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
)

export const SigningCertificateBody = SigningCertificateInput

export const VerificationCodeSchema = Type.Object({ verificationCode: Type.String() })

export const VerificationCertificateBody = Type.Object(
  { certificate: Type.Optional(Certificate) },
  { additionalProperties: false },
)
