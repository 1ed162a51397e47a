import { Type } from 'typebox'
import { RolesSchema } from '../../schemas/common.js'
import { MAX_OVERLAP_MINUTES } from '../../../services/api-token.service.js'

export const TokenIdParams = Type.Object({ tokenId: Type.String() })

/** Members OpenCentral adds to IoT Central's token: read-only, tolerated in a body sent back. */
const readOnly = {
  createdAt: Type.Optional(Type.String({ format: 'date-time', description: 'Extension, read-only.' })),
  lastUsedAt: Type.Optional(
    Type.String({ format: 'date-time', description: 'Extension, read-only: last authenticated request, to the minute.' }),
  ),
  lastUsedAddress: Type.Optional(Type.String({ description: 'Extension, read-only: the client address of that request.' })),
  expiringSoon: Type.Optional(Type.Boolean({ description: 'Extension, read-only: expires within 14 days.' })),
}

const description = Type.Optional(
  Type.String({ maxLength: 256, description: 'Extension: what the token is for (free text, never a secret).' }),
)

export const ApiTokenSchema = Type.Object(
  {
    id: Type.String(),
    roles: RolesSchema,
    expiry: Type.String({ format: 'date-time' }),
    description,
    ...readOnly,
    token: Type.Optional(Type.String({ description: 'Returned by create and rotate only, never again.' })),
  },
  { $id: 'ApiToken' },
)

export const CreateApiTokenBody = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'Read-only; ignored when equal to the path id.' })),
    roles: RolesSchema,
    expiry: Type.Optional(
      Type.String({ minLength: 1, description: 'ISO 8601 date-time; default one year from now.' }),
    ),
    description,
    ...readOnly,
  },
  { additionalProperties: false },
)

export const RotateApiTokenBody = Type.Object(
  {
    overlapMinutes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_OVERLAP_MINUTES,
        description: 'How long the replaced secret keeps working (default 60, at most 1440).',
      }),
    ),
  },
  { additionalProperties: false },
)
