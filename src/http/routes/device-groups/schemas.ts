import { Type } from 'typebox'
import { MAX_QUERY_LENGTH } from '../../../device-query/index.js'

export const DeviceGroupIdParams = Type.Object({ deviceGroupId: Type.String() })

export const DeviceGroupSchema = Type.Object(
  {
    id: Type.String(),
    etag: Type.String(),
    displayName: Type.String(),
    description: Type.Optional(Type.String()),
    filter: Type.String({ description: 'SELECT * FROM devices [WHERE …]; see docs/api.md.' }),
    organizations: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'DeviceGroup' },
)

const Filter = Type.String({ minLength: 1, maxLength: MAX_QUERY_LENGTH, description: 'SELECT * FROM devices [WHERE …]' })
const Organizations = Type.Array(Type.String({ minLength: 1, maxLength: 48 }), { maxItems: 1 })

/** PUT and PATCH take the same members; PATCH's `null` resets `description` and `organizations`. */
export const DeviceGroupBody = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'Read-only; tolerated when equal to the path id.' })),
    etag: Type.Optional(Type.String({ description: 'When set, the write happens only if it is current.' })),
    displayName: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
    filter: Type.Optional(Type.Union([Filter, Type.Null()])),
    organizations: Type.Optional(Type.Union([Organizations, Type.Null()])),
  },
  { additionalProperties: false },
)

export const DeviceGroupPreviewBody = Type.Object(
  {
    filter: Filter,
    organizations: Type.Optional(Organizations),
  },
  { additionalProperties: false },
)

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'Write only if the group still has this etag.' })),
})
