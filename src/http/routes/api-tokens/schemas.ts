import { Type } from 'typebox'
import { RolesSchema } from '../../schemas/common.js'

export const TokenIdParams = Type.Object({ tokenId: Type.String() })

export const ApiTokenSchema = Type.Object(
  {
    id: Type.String(),
    roles: RolesSchema,
    expiry: Type.String({ format: 'date-time' }),
    token: Type.Optional(Type.String({ description: 'Returned by create only, never again.' })),
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
  },
  { additionalProperties: false },
)
