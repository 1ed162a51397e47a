import { Type } from 'typebox'

export const OrganizationIdParams = Type.Object({ organizationId: Type.String() })

export const OrganizationSchema = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    parent: Type.Optional(Type.String({ description: 'Absent for a top-level organization.' })),
  },
  { $id: 'Organization' },
)

const fields = {
  id: Type.Optional(
    Type.String({ description: 'Read-only; tolerated when equal to the path id.' }),
  ),
  displayName: Type.String({ minLength: 1, maxLength: 200 }),
}

export const PutOrganizationBody = Type.Object(
  {
    ...fields,
    parent: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 48 }), Type.Null()], {
        description: 'The parent organization; absent or null for a top-level organization.',
      }),
    ),
  },
  { additionalProperties: false },
)

/** JSON merge patch: `parent: null` moves the organization to the top level. */
export const PatchOrganizationBody = Type.Object(
  {
    id: fields.id,
    displayName: Type.Optional(fields.displayName),
    parent: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 48 }), Type.Null()])),
  },
  { additionalProperties: false },
)
