import { AppError } from '../errors/app-error.js'

/**
 * Every published IoT Central data-plane version, oldest first: the one place that lists them.
 * Each route answers in the shape of the version asked for (see `docs/api.md`, "Versions").
 */
export const API_VERSIONS = [
  '1.0',
  '1.1-preview',
  '1.2-preview',
  '2022-05-31',
  '2022-06-30-preview',
  '2022-07-31',
  '2022-10-31-preview',
] as const

export type ApiVersion = (typeof API_VERSIONS)[number]

/** The version this server describes in its OpenAPI document and examples. */
export const CURRENT_GA: ApiVersion = '2022-07-31'

const KNOWN: ReadonlySet<string> = new Set(API_VERSIONS)

export function isApiVersion(value: unknown): value is ApiVersion {
  return typeof value === 'string' && KNOWN.has(value)
}

const from = (first: ApiVersion): ReadonlySet<ApiVersion> =>
  new Set(API_VERSIONS.slice(API_VERSIONS.indexOf(first)))
const only = (...versions: ApiVersion[]): ReadonlySet<ApiVersion> => new Set(versions)
const without = (...versions: ApiVersion[]): ReadonlySet<ApiVersion> =>
  new Set(API_VERSIONS.filter((version) => !versions.includes(version)))

/**
 * What differs between versions, by name: a resource family (its routes exist only in these
 * versions) or a member (it is read and written only in these versions). Routes name a capability
 * in `config.capability`; views ask `supports(request.apiVersion, …)`.
 */
export const CAPABILITIES = {
  /** /organizations, `organizations` on devices and groups, `organization` in role assignments. */
  organizations: from('1.1-preview'),
  /** Users of type `adGroup`. */
  adGroupUsers: from('1.1-preview'),
  /** Device groups: listed since 1.1-preview, created, changed and deleted since 1.2-preview. */
  deviceGroups: from('1.1-preview'),
  deviceGroupWrites: from('1.2-preview'),
  /** The file upload configuration. */
  fileUploads: from('1.1-preview'),
  /** Jobs and device relationships: not in 1.0, nor in GA 2022-05-31. */
  jobs: without('1.0', '2022-05-31'),
  relationships: without('1.0', '2022-05-31'),
  /** Enrollment groups and scheduled jobs. */
  enrollmentGroups: from('2022-06-30-preview'),
  scheduledJobs: from('2022-06-30-preview'),
  /** Preview-only families: data export, query, dashboards, deployment manifests. */
  dataExport: only('1.1-preview', '1.2-preview', '2022-06-30-preview', '2022-10-31-preview'),
  query: only('1.1-preview', '1.2-preview', '2022-06-30-preview', '2022-10-31-preview'),
  dashboards: only('2022-06-30-preview', '2022-10-31-preview'),
  deploymentManifests: only('2022-10-31-preview'),
} as const satisfies Record<string, ReadonlySet<ApiVersion>>

export type Capability = keyof typeof CAPABILITIES

export function supports(version: ApiVersion, capability: Capability): boolean {
  return CAPABILITIES[capability].has(version)
}

const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ')

/**
 * The version a request asks for. A repeated identical value arrives here once (the query parser
 * folds repeats); different values arrive as a list and are refused naming them.
 */
export function checkApiVersion(value: unknown): ApiVersion {
  if (isApiVersion(value)) return value
  if (Array.isArray(value)) {
    throw new AppError(
      'BadRequest',
      `api-version: given more than once with different values (${quoted(value.map(String))}); give it once.`,
    )
  }
  const shown = typeof value === 'string' ? value : 'undefined'
  throw new AppError(
    'NotFound',
    `"${shown}" is not a valid API version. Accepted versions: ${API_VERSIONS.join(', ')}.`,
  )
}

/** An operation asked for in a version that does not have it: 404, as for a path that does not exist. */
export function checkCapability(version: ApiVersion, capability: Capability | undefined): void {
  if (capability === undefined || supports(version, capability)) return
  throw new AppError(
    'NotFound',
    `This operation does not exist in api-version ${version}; it is available in ${[...CAPABILITIES[capability]].join(', ')}.`,
  )
}

/**
 * A member the version asked for does not have, sent in a body: refused like any unknown member
 * (422 naming it), so that a client never believes it set something the version cannot express.
 */
export function refuseMember(version: ApiVersion, field: string): never {
  throw new AppError('UnprocessableEntity', `${field}: is not a known member in api-version ${version}.`)
}
