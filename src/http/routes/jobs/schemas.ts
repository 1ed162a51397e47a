import { Type } from 'typebox'

export const JobIdParams = Type.Object({ jobId: Type.String() })
export const RerunParams = Type.Object({ jobId: Type.String(), rerunId: Type.String() })
export const ScheduledJobIdParams = Type.Object({ scheduledJobId: Type.String() })

const JobDataSchema = Type.Object(
  {
    type: Type.String({ description: 'cloudProperty, property, command or deviceTemplateMigration.' }),
    target: Type.Optional(Type.String({ description: 'The device template the entry applies to.' })),
    path: Type.Optional(Type.String({ description: '"name" or "component.name".' })),
    value: Type.Optional(Type.Unknown()),
    template: Type.Optional(Type.String({ description: 'deviceTemplateMigration: the template to move to.' })),
  },
  { additionalProperties: true },
)

const BatchSchema = Type.Object({ type: Type.String(), value: Type.Number() })
const ThresholdSchema = Type.Object({
  type: Type.String(),
  value: Type.Number(),
  batch: Type.Optional(Type.Boolean()),
})

const definition = {
  displayName: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  group: Type.String({ description: 'The device group whose devices the job works on.' }),
  batch: Type.Optional(BatchSchema),
  cancellationThreshold: Type.Optional(ThresholdSchema),
  data: Type.Array(JobDataSchema),
  organizations: Type.Optional(Type.Array(Type.String())),
}

export const JobSchema = Type.Object(
  {
    id: Type.String(),
    scheduledJobId: Type.Optional(Type.String()),
    ...definition,
    start: Type.Optional(Type.String({ description: 'When the job started (read-only).' })),
    end: Type.Optional(Type.String({ description: 'When the job ended (read-only).' })),
    progress: Type.Optional(
      Type.Object({
        total: Type.Integer(),
        pending: Type.Integer(),
        completed: Type.Integer(),
        failed: Type.Integer(),
      }),
    ),
    status: Type.String({ description: 'running, stopped, complete or cancelled (read-only).' }),
  },
  { $id: 'Job' },
)

export const JobDeviceStatusSchema = Type.Object(
  {
    id: Type.String(),
    status: Type.String({ description: 'pending, completed or failed.' }),
  },
  { $id: 'JobDeviceStatus' },
)

export const ScheduledJobSchema = Type.Object(
  {
    etag: Type.String(),
    id: Type.String(),
    ...definition,
    schedule: Type.Object(
      {
        start: Type.String(),
        recurrence: Type.Optional(Type.String()),
        end: Type.Optional(
          Type.Object({
            type: Type.String(),
            date: Type.Optional(Type.String()),
            occurrences: Type.Optional(Type.Integer()),
          }),
        ),
      },
    ),
    enabled: Type.Boolean(),
    completed: Type.Boolean(),
  },
  { $id: 'ScheduledJob' },
)

/** Bodies are checked by the services, field by field, so that every refusal names its field. */
export const AnyBody = Type.Record(Type.String(), Type.Unknown())

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'Write only if the etag is still this one.' })),
})
