import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Config } from '../../../config/schema.js'
import type { DeviceCommandService } from '../../../services/device-commands.service.js'
import type { DataTarget } from '../../../services/device-data-access.js'
import type { DevicePropertyService } from '../../../services/device-properties.service.js'
import type { DeviceTelemetryService } from '../../../services/device-telemetry.service.js'
import { collection, pageRequest } from '../../paging.js'
import { ApiVersionQuery, Collection, PagedQuery, errorResponses } from '../../schemas/common.js'

const PropertiesSchema = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Property values by name, with `$metadata` per property; components as objects.',
})

const TelemetrySchema = Type.Object({
  value: Type.Unknown(),
  timestamp: Type.String({ format: 'date-time' }),
})

const CommandSchema = Type.Object({
  id: Type.String(),
  connectionTimeout: Type.Integer(),
  responseTimeout: Type.Integer(),
  request: Type.Optional(Type.Unknown()),
  response: Type.Optional(Type.Unknown()),
  responseCode: Type.Optional(Type.Integer()),
})

const CommandBody = Type.Object(
  {
    connectionTimeout: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 30, description: 'Seconds to wait for the device to connect (default 0).' }),
    ),
    responseTimeout: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 30, description: "Seconds to wait for the device's answer (default 30)." }),
    ),
    request: Type.Optional(Type.Unknown({ description: "The command's payload." })),
  },
  { additionalProperties: false },
)

interface Params {
  deviceId: string
  moduleName?: string
  componentName?: string
}

/** The four places device data lives: the device, a component, a module, a module's component. */
const PLACES = [
  { prefix: '/devices/:deviceId', label: 'a device', params: Type.Object({ deviceId: Type.String() }) },
  {
    prefix: '/devices/:deviceId/components/:componentName',
    label: "a device's component",
    params: Type.Object({ deviceId: Type.String(), componentName: Type.String() }),
  },
  {
    prefix: '/devices/:deviceId/modules/:moduleName',
    label: "a device's module",
    params: Type.Object({ deviceId: Type.String(), moduleName: Type.String() }),
  },
  {
    prefix: '/devices/:deviceId/modules/:moduleName/components/:componentName',
    label: "a module's component",
    params: Type.Object({
      deviceId: Type.String(),
      moduleName: Type.String(),
      componentName: Type.String(),
    }),
  },
] as const

const targetOf = (params: Params): DataTarget => ({
  module: params.moduleName ?? null,
  component: params.componentName ?? null,
})

const writeErrors = { 422: errorResponses[400] }

/**
 * Properties, last telemetry values and commands of devices, their components, their IoT Edge
 * modules and the modules' components.
 */
export const deviceDataRoutes: FastifyPluginAsyncTypebox<{
  properties: DevicePropertyService
  telemetry: DeviceTelemetryService
  commands: DeviceCommandService
  config: Config
}> = async (app, { properties, telemetry, commands, config }) => {
  const tags = ['Device data']

  for (const place of PLACES) {
    const params = place.params

    app.get(
      `${place.prefix}/properties`,
      {
        config: { permission: 'devices.read' },
        schema: {
          tags,
          summary: `Get the properties of ${place.label}`,
          params,
          querystring: ApiVersionQuery,
          response: { 200: PropertiesSchema, ...errorResponses },
        },
      },
      async (request) => properties.get(request.principal, request.params.deviceId, targetOf(request.params)),
    )

    for (const [method, mode] of [
      ['put', 'replace'],
      ['patch', 'merge'],
    ] as const) {
      app[method](
        `${place.prefix}/properties`,
        {
          config: { permission: 'devices.update' },
          schema: {
            tags,
            summary:
              mode === 'replace'
                ? `Replace the writable and cloud properties of ${place.label}`
                : `Update the writable and cloud properties of ${place.label} (JSON merge patch)`,
            params,
            querystring: ApiVersionQuery,
            body: PropertiesSchema,
            response: { 202: PropertiesSchema, ...writeErrors, ...errorResponses },
          },
        },
        async (request, reply) => {
          const written = await properties.write(
            request.principal,
            request.params.deviceId,
            targetOf(request.params),
            request.body,
            mode,
          )
          return reply.code(202).send(written)
        },
      )
    }

    app.get(
      `${place.prefix}/telemetry/:telemetryName`,
      {
        config: { permission: 'devices.read' },
        schema: {
          tags,
          summary: `Get the last known value of a telemetry of ${place.label}`,
          params: Type.Object({ ...params.properties, telemetryName: Type.String() }),
          querystring: ApiVersionQuery,
          response: { 200: TelemetrySchema, ...errorResponses },
        },
      },
      async (request) =>
        telemetry.get(
          request.principal,
          request.params.deviceId,
          targetOf(request.params),
          request.params.telemetryName,
        ),
    )

    app.get(
      `${place.prefix}/commands/:commandName`,
      {
        config: { permission: 'devices.read' },
        schema: {
          tags,
          summary: `Get the runs of a command of ${place.label}, most recent first`,
          params: Type.Object({ ...params.properties, commandName: Type.String() }),
          querystring: PagedQuery,
          response: { 200: Collection(CommandSchema), ...errorResponses },
        },
      },
      async (request) =>
        collection(
          request,
          config.publicUrl,
          request.query,
          await commands.history(
            request.principal,
            request.params.deviceId,
            targetOf(request.params),
            request.params.commandName,
            pageRequest(request.query),
          ),
        ),
    )

    app.post(
      `${place.prefix}/commands/:commandName`,
      {
        config: { permission: 'devices.executeCommands' },
        schema: {
          tags,
          summary: `Run a command of ${place.label}`,
          params: Type.Object({ ...params.properties, commandName: Type.String() }),
          querystring: ApiVersionQuery,
          body: CommandBody,
          response: {
            201: CommandSchema,
            ...writeErrors,
            504: errorResponses['5xx'],
            ...errorResponses,
          },
        },
      // Every member is optional, so a POST without a body runs the command with the defaults.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {}
      },
    },
      async (request, reply) => {
        const run = await commands.run(
          request.principal,
          request.params.deviceId,
          targetOf(request.params),
          request.params.commandName,
          request.body ?? {},
        )
        return reply.code(201).send(run)
      },
    )
  }
}
