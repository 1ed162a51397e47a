import { Type } from 'typebox'
import type { DeviceView } from '../../../services/device.service.js'
import { supports, type ApiVersion } from '../../api-versions.js'

export const DeviceIdParams = Type.Object({ deviceId: Type.String() })

export const DeviceSchema = Type.Object(
  {
    id: Type.String(),
    etag: Type.String(),
    displayName: Type.String(),
    template: Type.Optional(Type.String()),
    enabled: Type.Boolean(),
    provisioned: Type.Boolean(),
    simulated: Type.Boolean(),
    organizations: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'Device' },
)

const nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Boolean>>(
  schema: T,
) => Type.Optional(Type.Union([schema, Type.Null()]))

/** PUT and PATCH take the same members; PATCH's `null` resets a member (JSON merge patch). */
export const DeviceBody = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'Read-only; tolerated when equal to the path id.' })),
    etag: Type.Optional(Type.String({ description: 'When set, the write happens only if it is current.' })),
    displayName: nullable(Type.String({ maxLength: 200 })),
    template: nullable(Type.String({ maxLength: 512 })),
    enabled: nullable(Type.Boolean()),
    provisioned: Type.Optional(Type.Boolean({ description: 'Read-only.' })),
    simulated: nullable(Type.Boolean()),
    organizations: Type.Optional(
      Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 48 }), { maxItems: 1 }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
)

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'Write only if the device still has this etag.' })),
})

/** A device as the version shows it: 1.0 has no `organizations`. */
export function deviceFor(version: ApiVersion, device: DeviceView): DeviceView {
  if (supports(version, 'organizations') || device.organizations === undefined) return device
  const { organizations: _omitted, ...rest } = device
  return rest
}
