import { Type } from 'typebox'

export const RoleIdParams = Type.Object({ roleId: Type.String() })

export const RoleSchema = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    type: Type.Optional(Type.String({ description: 'application or organization (extension).' })),
    permissions: Type.Optional(
      Type.Array(Type.String(), { description: 'Permissions the role grants (extension).' }),
    ),
  },
  { $id: 'Role' },
)

const RoleType = Type.Enum(['application', 'organization'], {
  description:
    'Fixed at creation: application roles reach the whole application, organization roles one organization and its descendants.',
})
const DisplayName = Type.String({ minLength: 1, maxLength: 100 })
const Permissions = Type.Array(Type.String({ maxLength: 64 }), {
  maxItems: 200,
  description: 'Permissions from the catalogue; their dependencies are added.',
})
const BodyId = Type.Optional(
  Type.String({ description: 'Read-only; tolerated when equal to the path id.' }),
)

export const PutRoleBody = Type.Object(
  { id: BodyId, displayName: DisplayName, type: RoleType, permissions: Permissions },
  { additionalProperties: false },
)

/** JSON merge patch of `displayName` and `permissions`; `type` may be repeated, never changed. */
export const PatchRoleBody = Type.Object(
  {
    id: BodyId,
    displayName: Type.Optional(DisplayName),
    type: Type.Optional(RoleType),
    permissions: Type.Optional(Permissions),
  },
  { additionalProperties: false },
)
