import { Type } from 'typebox'
import { PagedQuery } from '../../schemas/common.js'

export const AuditLogSchema = Type.Object(
  {
    id: Type.String(),
    time: Type.String({ format: 'date-time', description: 'When it happened (for an aggregated record: when it was written).' }),
  actor: Type.Object({
      type: Type.Union([Type.Literal('apiToken'), Type.Literal('user'), Type.Literal('operator'), Type.Literal('anonymous')], {
        description: '`operator`: the CLI, working on the store directly; `anonymous`: a credential that claimed no readable id.',
      }),
      id: Type.Optional(
        Type.String({ description: 'Token id or user id; for a refused credential, the token id or tenant/object id it claimed.' }),
      ),
    }),
  action: Type.String({ description: '`<resource>.<verb>` (`apiToken.create`, `user.delete`, …), `auth.failure` or `auth.denied`.' }),
    target: Type.Optional(Type.String({ description: 'The id of what the action was on.' })),
    clientAddress: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String({ description: 'The x-ms-request-id of the request.' })),
    outcome: Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('failed')]),
    status: Type.Optional(Type.Integer({ description: 'The HTTP status of a refusal or failure.' })),
    count: Type.Integer({ description: 'How many events the record stands for (refusals are aggregated), else 1.' }),
  },
  { $id: 'AuditLog' },
)

export const AuditLogQuery = Type.Object({
  ...PagedQuery.properties,
  from: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'ISO date-time: records at or after it.' })),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'ISO date-time: records before it.' })),
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Exact actor id (token id, user id).' })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Exact action, e.g. apiToken.create.' })),
})
