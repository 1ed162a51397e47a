import type { ApiClient } from '../api/client'
import { organizationsFor } from '../api/lists'
import type {
  DeviceGroup,
  DeviceTemplate,
  JobDataType,
  JobDefinition,
  Organization,
  Page,
} from '../api/types'

/** What a job (or a scheduled job) does, as the form holds it. */
export interface JobForm {
  displayName: string
  description: string
  group: string
  organization: string
  type: JobDataType
  target: string
  path: string
  /** JSON, or plain text taken as a string. */
  value: string
  /** The template to migrate to. */
  template: string
  batch: boolean
  batchType: 'number' | 'percentage'
  batchValue: string
  cancel: boolean
  cancelType: 'number' | 'percentage'
  cancelValue: string
  cancelPerBatch: boolean
}

export const DATA_TYPES: { type: JobDataType; label: string }[] = [
  { type: 'cloudProperty', label: 'Cloud property' },
  { type: 'property', label: 'Property' },
  { type: 'command', label: 'Command' },
  { type: 'deviceTemplateMigration', label: 'Change device template' },
]

export const dataTypeLabel = (type: JobDataType) =>
  DATA_TYPES.find((entry) => entry.type === type)?.label ?? type

/** The groups, templates and organizations a job form chooses from. */
export interface JobChoices {
  groups: DeviceGroup[]
  templates: DeviceTemplate[]
  organizations: Organization[]
}

export async function jobChoices(
  api: ApiClient,
  may: (permission: string) => boolean,
): Promise<JobChoices> {
  const [groups, templates, organizations] = await Promise.all([
    may('deviceGroups.read')
      ? api.get<Page<DeviceGroup>>('/deviceGroups?maxpagesize=100').then((page) => page.value)
      : Promise.resolve([] as DeviceGroup[]),
    may('deviceTemplates.read')
      ? api.get<Page<DeviceTemplate>>('/deviceTemplates').then((page) => page.value)
      : Promise.resolve([] as DeviceTemplate[]),
    organizationsFor(api, may),
  ])
  return { groups, templates, organizations }
}

export function emptyJobForm(choices: JobChoices): JobForm {
  return {
    displayName: '',
    description: '',
    group: choices.groups[0]?.id ?? '',
    organization: '',
    type: 'cloudProperty',
    target: choices.templates[0]?.['@id'] ?? '',
    path: '',
    value: '',
    template: choices.templates[0]?.['@id'] ?? '',
    batch: false,
    batchType: 'number',
    batchValue: '10',
    cancel: false,
    cancelType: 'percentage',
    cancelValue: '10',
    cancelPerBatch: false,
  }
}

export function jobFormOf(definition: JobDefinition, choices: JobChoices): JobForm {
  const data = definition.data[0]
  const empty = emptyJobForm(choices)
  return {
    ...empty,
    displayName: definition.displayName ?? '',
    description: definition.description ?? '',
    group: definition.group,
    organization: definition.organizations?.[0] ?? '',
    type: data?.type ?? empty.type,
    target: data?.target ?? empty.target,
    path: data?.path ?? '',
    value:
      data?.value === undefined || data.value === null
        ? ''
        : typeof data.value === 'string'
          ? data.value
          : JSON.stringify(data.value),
    template: data?.template ?? empty.template,
    batch: definition.batch !== undefined,
    batchType: definition.batch?.type ?? empty.batchType,
    batchValue: String(definition.batch?.value ?? empty.batchValue),
    cancel: definition.cancellationThreshold !== undefined,
    cancelType: definition.cancellationThreshold?.type ?? empty.cancelType,
    cancelValue: String(definition.cancellationThreshold?.value ?? empty.cancelValue),
    cancelPerBatch: definition.cancellationThreshold?.batch ?? false,
  }
}

/** A value typed in the form: JSON when it parses, the text itself otherwise. */
const valueOf = (text: string): unknown => {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * The definition the API takes. `clear` sends null for a batch or threshold that is switched off
 * (a merge patch removes them that way); a new job leaves them out.
 */
export function jobDefinitionOf(
  form: JobForm,
  withOrganizations: boolean,
  clear = false,
): Record<string, unknown> {
  const value = valueOf(form.value)
  const data =
    form.type === 'deviceTemplateMigration'
      ? { type: form.type, template: form.template }
      : {
          type: form.type,
          target: form.target,
          path: form.path,
          ...(value === undefined ? (form.type === 'command' ? {} : { value: '' }) : { value }),
        }
  const off = clear ? null : undefined
  return {
    displayName: form.displayName,
    description: form.description,
    group: form.group,
    data: [data],
    batch: form.batch ? { type: form.batchType, value: Number(form.batchValue) } : off,
    cancellationThreshold: form.cancel
      ? {
          type: form.cancelType,
          value: Number(form.cancelValue),
          ...(form.batch ? { batch: form.cancelPerBatch } : {}),
        }
      : off,
    ...(withOrganizations
      ? { organizations: form.organization ? [form.organization] : clear ? null : undefined }
      : {}),
  }
}
