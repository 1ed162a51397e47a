import { Type } from 'typebox'
import { RolesSchema } from '../../schemas/common.js'

export const UserIdParams = Type.Object({ userId: Type.String() })

/** IoT Central's userId pattern. */
export const USER_ID_PATTERN = '^[a-zA-Z0-9-_]{1,48}$'

const directoryId = (what: string) => Type.String({ minLength: 1, maxLength: 128, description: what })

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.Union([
      Type.Literal('email'),
      Type.Literal('servicePrincipal'),
      Type.Literal('adGroup'),
    ]),
    email: Type.Optional(Type.String()),
    tenantId: Type.Optional(Type.String()),
    objectId: Type.Optional(Type.String()),
    roles: RolesSchema,
    createdAt: Type.Optional(Type.String({ format: 'date-time', description: 'Extension, read-only.' })),
    lastUsedAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'Extension, read-only: last authenticated request, to the minute.' }),
    ),
    lastUsedAddress: Type.Optional(Type.String({ description: 'Extension, read-only: the client address of that request.' })),
  },
  { $id: 'User' },
)

const userFields = {
  id: Type.Optional(Type.String({ description: 'Read-only; tolerated when equal to the path id.' })),
  email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
  tenantId: Type.Optional(directoryId('Directory tenant id of the principal or group.')),
  objectId: Type.Optional(directoryId('Directory object id of the principal or group.')),
}

export const PutUserBody = Type.Object(
  {
    ...userFields,
    type: Type.Enum(['email', 'servicePrincipal', 'adGroup']),
    roles: RolesSchema,
  },
  { additionalProperties: false },
)

export const PatchUserBody = Type.Object(
  {
    ...userFields,
    type: Type.Optional(Type.Enum(['email', 'servicePrincipal', 'adGroup'])),
    roles: Type.Optional(RolesSchema),
  },
  { additionalProperties: false },
)
