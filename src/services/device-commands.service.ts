import { randomBytes } from 'node:crypto'
import type { Principal } from '../auth/principal.js'
import { AppError, notFound, unprocessable } from '../errors/app-error.js'
import { deviceDataRepository } from '../storage/repositories/device-data.repository.js'
import type { Store } from '../storage/store.js'
import type { DeviceCommandRow } from '../storage/tables/device-data.js'
import type { Clock } from '../clock.js'
import { schemaMismatch, type CommandCapability } from './device-capabilities.js'
import type { DeviceConnections, InvocationOutcome } from './device-connections.js'
import {
  describeTarget,
  deviceFor,
  interfaceFor,
  keyOf,
  type DataTarget,
} from './device-data-access.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import type { Page, PageRequest } from './paging.js'

export interface CommandRunInput {
  connectionTimeout?: number
  responseTimeout?: number
  request?: unknown
}

/** A command run, as IoT Central answers it (`DeviceCommand`). */
export interface CommandRunView {
  id: string
  connectionTimeout: number
  responseTimeout: number
  request?: unknown
  response?: unknown
  responseCode?: number
}

export const DEFAULT_CONNECTION_TIMEOUT = 0
export const DEFAULT_RESPONSE_TIMEOUT = 30

/** The response code a run records when the device never connected (IoT Hub's DeviceNotOnline). */
export const NOT_CONNECTED_CODE = 404
/** The response code a run records when the device did not answer in time (IoT Hub's 504). */
export const TIMED_OUT_CODE = 504

/** Running a template's commands on devices, and the history of the runs. */
export class DeviceCommandService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly clock: Clock,
    /** Replaced by the device side once devices can connect. */
    public connections: DeviceConnections,
  ) {}

  /**
   * Runs the command on the device and records the run. Answers the run when the device
   * answered; otherwise the run is recorded with IoT Hub's code and the error is thrown:
   * 404 (DeviceNotOnline) when the device did not connect within connectionTimeout, 504 when it
   * did not answer within responseTimeout.
   */
  async run(
    caller: Principal | null,
    deviceId: string,
    target: DataTarget,
    name: string,
    input: CommandRunInput,
  ): Promise<CommandRunView> {
    const context = await deviceFor(
      this.store.db,
      this.organizations,
      caller,
      deviceId,
      'devices.executeCommands',
    )
    const command = commandOf(interfaceFor(context, target).commands.get(name), name, deviceId, target)
    if (input.request !== undefined && command.request !== undefined) {
      const why = schemaMismatch(command.request, input.request)
      if (why) throw unprocessable(`request: ${why}.`)
    }
    const timeouts = {
      connectionTimeout: input.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT,
      responseTimeout: input.responseTimeout ?? DEFAULT_RESPONSE_TIMEOUT,
    }
    const method = target.component === null ? name : `${target.component}*${name}`
    const outcome: InvocationOutcome = await this.connections.invoke(
      { deviceId, module: target.module },
      method,
      input.request ?? null,
      timeouts,
    )
    const { module, component } = keyOf(target)
    const row: DeviceCommandRow = {
      id: this.newRunId(),
      device_id: deviceId,
      module,
      component,
      name,
      request: input.request === undefined ? null : JSON.stringify(input.request),
      response: outcome.kind === 'answered' && outcome.payload !== undefined ? JSON.stringify(outcome.payload) : null,
      response_code:
        outcome.kind === 'answered'
          ? outcome.status
          : outcome.kind === 'notConnected'
            ? NOT_CONNECTED_CODE
            : TIMED_OUT_CODE,
      connection_timeout: timeouts.connectionTimeout,
      response_timeout: timeouts.responseTimeout,
      created_at: this.clock(),
    }
    await deviceDataRepository.insertCommand(this.store.db, row)
    if (outcome.kind === 'notConnected') {
      throw new AppError(
        'NotFound',
        `The device '${deviceId}' is not connected: timed out waiting for it to connect (DeviceNotOnline).`,
      )
    }
    if (outcome.kind === 'timedOut') {
      throw new AppError(
        'GatewayTimeout',
        `The device '${deviceId}' did not answer the command '${name}' within ${timeouts.responseTimeout} s.`,
      )
    }
    return toView(row)
  }

  private lastMs = -1
  private counter = 0

  /**
   * A UUID (version 7) whose order is the order of the runs: the time in ms, then a counter for
   * runs within the same ms, then random bits.
   */
  private newRunId(): string {
    const ms = Math.max(this.clock(), this.lastMs)
    this.counter = ms === this.lastMs ? this.counter + 1 : 0
    this.lastMs = ms
    const bytes = randomBytes(16)
    bytes.writeUIntBE(ms, 0, 6)
    bytes[6] = 0x70 | ((this.counter >> 8) & 0x0f)
    bytes[7] = this.counter & 0xff
    bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f)
    const hex = bytes.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  /** The runs of a command, most recent first, a page at a time. */
  async history(
    caller: Principal | null,
    deviceId: string,
    target: DataTarget,
    name: string,
    page: PageRequest,
  ): Promise<Page<CommandRunView>> {
    const context = await deviceFor(this.store.db, this.organizations, caller, deviceId, 'devices.read')
    commandOf(interfaceFor(context, target).commands.get(name), name, deviceId, target)
    const after = page.after === null ? null : decodeCursor(page.after)
    const rows = await deviceDataRepository.commandPage(
      this.store.db,
      { deviceId, ...keyOf(target), name },
      after,
      page.limit + 1,
    )
    const more = rows.length > page.limit
    const items = more ? rows.slice(0, page.limit) : rows
    const last = items[items.length - 1]
    return {
      items: items.map(toView),
      next: more && last ? `${Number(last.created_at)}:${last.id}` : null,
    }
  }
}

function commandOf(
  command: CommandCapability | undefined,
  name: string,
  deviceId: string,
  target: DataTarget,
): CommandCapability {
  if (!command) throw notFound(`The command '${name}' of ${describeTarget(deviceId, target)}`)
  return command
}

function decodeCursor(after: string): { time: number; id: string } {
  const colon = after.indexOf(':')
  const time = Number(after.slice(0, colon))
  if (colon < 1 || !Number.isSafeInteger(time)) {
    throw new AppError('BadRequest', '$skiptoken: is not a valid continuation; follow nextLink as given.')
  }
  return { time, id: after.slice(colon + 1) }
}

function toView(row: DeviceCommandRow): CommandRunView {
  const view: CommandRunView = {
    id: row.id,
    connectionTimeout: row.connection_timeout,
    responseTimeout: row.response_timeout,
  }
  if (row.request !== null) view.request = JSON.parse(row.request)
  if (row.response !== null) view.response = JSON.parse(row.response)
  if (row.response_code !== null) view.responseCode = row.response_code
  return view
}
