import type { Reach } from '../authz/reach.js'
import type { Permission } from '../authz/permissions.js'
import { unprocessable } from '../errors/app-error.js'
import { deviceTemplateRepository } from '../storage/repositories/device-template.repository.js'
import type { Executor } from '../storage/repositories/executor.js'
import { readCapabilities, schemaMismatch } from '../services/device-capabilities.js'
import { requireAt } from '../services/scope-checks.js'
import type { JobGroups } from './job-groups.js'

/** Job and scheduled-job ids: IoT Central's pattern and length. */
export const JOB_ID_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/

export const JOB_DATA_TYPES = ['cloudProperty', 'property', 'command', 'deviceTemplateMigration'] as const
export type JobDataType = (typeof JOB_DATA_TYPES)[number]

/** One `data` entry that writes a property or cloud property, or runs a command, on a template's devices. */
export interface TargetedJobData {
  type: 'cloudProperty' | 'property' | 'command'
  target: string
  path: string
  value?: unknown
}

/** Moves the group's devices to another template. */
export interface MigrationJobData {
  type: 'deviceTemplateMigration'
  template: string
}

export type JobData = TargetedJobData | MigrationJobData

export interface JobBatch {
  type: 'number' | 'percentage'
  value: number
}

export interface JobCancellationThreshold {
  type: 'number' | 'percentage'
  value: number
  batch?: boolean
}

/** What a job does and to whom: shared by jobs and scheduled jobs. */
export interface JobDefinition {
  displayName?: string
  description?: string
  group: string
  data: JobData[]
  batch?: JobBatch
  cancellationThreshold?: JobCancellationThreshold
  /** null: the application's root */
  organization: string | null
}

/** The columns a stored job or scheduled job keeps its definition in (JSON text for the structured members). */
export function definitionColumns(definition: {
  displayName?: string
  description?: string
  group: string
  data: unknown
  batch?: unknown
  cancellationThreshold?: unknown
  organization: string | null
}) {
  return {
    display_name: definition.displayName ?? null,
    description: definition.description ?? null,
    group_id: definition.group,
    data: JSON.stringify(definition.data),
    batch: definition.batch ? JSON.stringify(definition.batch) : null,
    cancellation_threshold: definition.cancellationThreshold
      ? JSON.stringify(definition.cancellationThreshold)
      : null,
    organization_id: definition.organization,
  }
}

/** The members of a job or scheduled-job body that define the work, as the client sent them. */
export interface JobDefinitionInput {
  displayName?: unknown
  description?: unknown
  group?: unknown
  data?: unknown
  batch?: unknown
  cancellationThreshold?: unknown
  organizations?: unknown
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Checks a job definition fully against the store, before anything is written: the group (within
 * the caller's reach), every data entry against its target template, the batch and threshold
 * numbers, and the organization. Each refusal is a 422 naming the field.
 */
export async function checkDefinition(
  db: Executor,
  reach: Reach,
  groups: JobGroups,
  input: JobDefinitionInput,
  permissions: readonly Permission[],
): Promise<JobDefinition> {
  const displayName = optionalString(input.displayName, 'displayName', 200)
  const description = optionalString(input.description, 'description', 2000)
  const organization = checkOrganization(reach, input.organizations)
  for (const permission of permissions) requireAt(reach, permission, organization)

  if (typeof input.group !== 'string' || input.group === '') {
    throw unprocessable('group: is required (the id of a device group).')
  }
  const group = input.group
  const groupOrganization = await groups.organizationOf(group, db)
  if (groupOrganization === undefined || !reach.includes('deviceGroups.read', groupOrganization)) {
    throw unprocessable(`group: the device group '${group}' does not exist.`)
  }
  if (organization !== null && groupOrganization !== null && !within(reach, groupOrganization, organization)) {
    throw unprocessable(
      `group: the device group '${group}' belongs to the organization '${groupOrganization}', outside the job's organization '${organization}'.`,
    )
  }
  const data = await checkData(db, input.data)
  const batch = input.batch === undefined || input.batch === null ? undefined : checkBatch(input.batch)
  const cancellationThreshold =
    input.cancellationThreshold === undefined || input.cancellationThreshold === null
      ? undefined
      : checkThreshold(input.cancellationThreshold)
  return {
    ...(displayName !== undefined ? { displayName } : {}),
    ...(description !== undefined ? { description } : {}),
    group,
    data,
    ...(batch ? { batch } : {}),
    ...(cancellationThreshold ? { cancellationThreshold } : {}),
    organization,
  }
}

/** Whether `organization` is `ancestor` or below it. */
function within(reach: Reach, organization: string, ancestor: string): boolean {
  let current: string | null | undefined = organization
  for (let i = 0; current !== null && current !== undefined && i < 10; i++) {
    if (current === ancestor) return true
    current = reach.tree.get(current)
  }
  return false
}

function optionalString(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw unprocessable(`${field}: must be a string.`)
  if (value.length > max) throw unprocessable(`${field}: must be at most ${max} characters.`)
  return value
}

function checkOrganization(reach: Reach, organizations: unknown): string | null {
  if (organizations === undefined || organizations === null) return null
  if (!Array.isArray(organizations) || organizations.some((o) => typeof o !== 'string')) {
    throw unprocessable('organizations: must be an array holding one organization id.')
  }
  if (organizations.length !== 1) {
    throw unprocessable('organizations: must hold exactly one organization id.')
  }
  const organization = organizations[0] as string
  if (!reach.sees(organization)) {
    throw unprocessable(`organizations: the organization '${organization}' does not exist.`)
  }
  return organization
}

async function checkData(db: Executor, data: unknown): Promise<JobData[]> {
  if (!Array.isArray(data) || data.length === 0) {
    throw unprocessable('data: is required (at least one entry).')
  }
  if (data.length > 100) throw unprocessable('data: at most 100 entries.')
  const entries: JobData[] = []
  const templates = new Map<string, Record<string, unknown> | null>()
  const template = async (id: string) => {
    if (!templates.has(id)) {
      const row = await deviceTemplateRepository.get(db, id)
      templates.set(id, row ? (JSON.parse(row.document) as Record<string, unknown>) : null)
    }
    return templates.get(id) ?? null
  }
  for (const [i, entry] of data.entries()) {
    const at = `data[${i}]`
    if (!isObject(entry)) throw unprocessable(`${at}: must be an object.`)
    const type = entry.type
    if (typeof type !== 'string' || !(JOB_DATA_TYPES as readonly string[]).includes(type)) {
      throw unprocessable(`${at}.type: must be one of ${JOB_DATA_TYPES.join(', ')}.`)
    }
    if (i > 0 && type !== (data[0] as { type: string }).type) {
      throw unprocessable(`${at}.type: every entry of a job has the same type ('${(data[0] as { type: string }).type}').`)
    }
    if (type === 'deviceTemplateMigration') {
      if (typeof entry.template !== 'string' || entry.template === '') {
        throw unprocessable(`${at}.template: is required (the device template to move the devices to).`)
      }
      if (i > 0) throw unprocessable(`${at}: a job moves devices to one template only.`)
      if (!(await template(entry.template))) {
        throw unprocessable(`${at}.template: the device template '${entry.template}' does not exist.`)
      }
      entries.push({ type, template: entry.template })
      continue
    }
    if (typeof entry.target !== 'string' || entry.target === '') {
      throw unprocessable(`${at}.target: is required (the device template the entry applies to).`)
    }
    if (typeof entry.path !== 'string' || entry.path === '') {
      throw unprocessable(`${at}.path: is required ("name" or "component.name").`)
    }
    const document = await template(entry.target)
    if (!document) throw unprocessable(`${at}.target: the device template '${entry.target}' does not exist.`)
    const capability = findCapability(document, entry.path)
    const kind = type as TargetedJobData['type']
    if (!capability || capability.kind !== kind) {
      throw unprocessable(
        `${at}.path: the device template '${entry.target}' has no ${describeKind(kind)} '${entry.path}'.`,
      )
    }
    if (kind === 'property' && !capability.writable) {
      throw unprocessable(`${at}.path: the property '${entry.path}' of '${entry.target}' is not writable.`)
    }
    if (kind !== 'command' && entry.value === undefined) {
      throw unprocessable(`${at}.value: is required.`)
    }
    const mismatch =
      entry.value === undefined || entry.value === null || capability.schema === undefined
        ? null
        : schemaMismatch(capability.schema, entry.value)
    if (mismatch !== null) throw unprocessable(`${at}.value: ${mismatch}`)
    entries.push({
      type: kind,
      target: entry.target,
      path: entry.path,
      ...(entry.value !== undefined ? { value: entry.value } : {}),
    })
  }
  return entries
}

const describeKind = (kind: TargetedJobData['type']): string =>
  kind === 'cloudProperty' ? 'cloud property' : kind === 'property' ? 'writable property' : 'command'

export interface Capability {
  kind: TargetedJobData['type']
  writable: boolean
  /** the value's schema (a property's, a command's request) */
  schema: unknown
}

/**
 * The capability `path` names in a template document: `name` in the template's own interface,
 * `component.name` in one of its components (read as the device-properties part reads them).
 */
export function findCapability(document: Record<string, unknown>, path: string): Capability | undefined {
  const parts = path.split('.')
  if (parts.length > 2 || parts.some((p) => p === '')) return undefined
  const unit = readCapabilities(document).device
  const capabilities = parts.length === 2 ? unit.components.get(parts[0] as string) : unit.root
  if (!capabilities) return undefined
  const name = parts[parts.length - 1] as string
  const command = capabilities.commands.get(name)
  if (command) return { kind: 'command', writable: false, schema: command.request }
  const property = capabilities.properties.get(name)
  if (!property) return undefined
  return {
    kind: property.cloud ? 'cloudProperty' : 'property',
    writable: property.writable,
    schema: property.schema,
  }
}

function checkBatch(batch: unknown): JobBatch {
  if (!isObject(batch)) throw unprocessable('batch: must be an object {type, value}.')
  const type = batch.type
  if (type !== 'number' && type !== 'percentage') {
    throw unprocessable("batch.type: must be 'number' or 'percentage'.")
  }
  const value = batch.value
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || (type === 'percentage' && value > 100)) {
    throw unprocessable(
      type === 'percentage'
        ? 'batch.value: must be a whole percentage from 1 to 100.'
        : 'batch.value: must be a whole number of devices, at least 1.',
    )
  }
  return { type, value }
}

function checkThreshold(threshold: unknown): JobCancellationThreshold {
  if (!isObject(threshold)) {
    throw unprocessable('cancellationThreshold: must be an object {type, value, batch?}.')
  }
  const type = threshold.type
  if (type !== 'number' && type !== 'percentage') {
    throw unprocessable("cancellationThreshold.type: must be 'number' or 'percentage'.")
  }
  const value = threshold.value
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || (type === 'percentage' && value > 100)) {
    throw unprocessable(
      type === 'percentage'
        ? 'cancellationThreshold.value: must be a whole percentage from 0 to 100.'
        : 'cancellationThreshold.value: must be a whole number of devices, at least 0.',
    )
  }
  if (threshold.batch !== undefined && typeof threshold.batch !== 'boolean') {
    throw unprocessable('cancellationThreshold.batch: must be true or false.')
  }
  return { type, value, ...(threshold.batch !== undefined ? { batch: threshold.batch } : {}) }
}
