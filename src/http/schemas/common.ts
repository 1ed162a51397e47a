import { Type, type TSchema } from 'typebox'

export const RoleAssignmentSchema = Type.Object(
  {
    role: Type.String({ minLength: 1, maxLength: 128, description: 'Role id.' }),
    organization: Type.Optional(
      Type.String({ minLength: 1, maxLength: 48, description: 'Organization id.' }),
    ),
  },
  { additionalProperties: false },
)

export const RolesSchema = Type.Array(RoleAssignmentSchema, { minItems: 1, maxItems: 50 })

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      requestId: Type.String(),
      time: Type.String({ description: 'RFC 1123 date.' }),
    }),
  },
  { $id: 'Error', description: 'IoT Central error body.' },
)

/** `{ value: [...], nextLink? }`, the shape of every IoT Central list. */
export const Collection = <T extends TSchema>(item: T) =>
  Type.Object({
    value: Type.Array(item),
    nextLink: Type.Optional(Type.String({ description: 'Absolute URL of the next page.' })),
  })

export const ApiVersionQuery = Type.Object({
  'api-version': Type.String({ description: 'API version, e.g. 2022-07-31.' }),
})

export const PagedQuery = Type.Object({
  'api-version': Type.String({ description: 'API version, e.g. 2022-07-31.' }),
  maxpagesize: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, description: 'Page size (default 25).' }),
  ),
  $top: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Alias of maxpagesize.' })),
  $skiptoken: Type.Optional(Type.String({ maxLength: 2048, description: 'Continuation from nextLink.' })),
})

/** Error responses every protected route can give. */
export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  '5xx': ErrorSchema,
}
