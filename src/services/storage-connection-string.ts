import { unprocessable } from '../errors/app-error.js'

/** What a masked secret reads as in answers, and may be sent back as to keep the stored one. */
export const MASK = '*****'

/** The members of an Azure Storage connection string OpenCentral accepts, in their usual spelling. */
const KEYS = [
  'DefaultEndpointsProtocol',
  'AccountName',
  'AccountKey',
  'SharedAccessSignature',
  'EndpointSuffix',
  'BlobEndpoint',
  'QueueEndpoint',
  'TableEndpoint',
  'FileEndpoint',
  'BlobSecondaryEndpoint',
  'QueueSecondaryEndpoint',
  'TableSecondaryEndpoint',
  'FileSecondaryEndpoint',
] as const
type Key = (typeof KEYS)[number]
const BY_LOWER = new Map<string, Key>(KEYS.map((key) => [key.toLowerCase(), key]))

/** The members whose values are secrets: masked in every answer. */
export const SECRET_KEYS: ReadonlySet<Key> = new Set(['AccountKey', 'SharedAccessSignature'])

export interface StorageConnection {
  /** The pairs as sent, keys in their canonical spelling, in order. */
  entries: [Key, string][]
  accountName?: string
  accountKey?: string
  sharedAccessSignature?: string
  /** Where blobs go: `BlobEndpoint`, else `<protocol>://<account>.blob.<suffix>`. */
  blobEndpoint: string
}

// Azure names accounts in lowercase, but the name is a DNS label, read without regard to case:
// IoT Central's own example (`AccountName=MyAccountName`) is accepted.
const ACCOUNT_NAME = /^[a-zA-Z0-9]{3,24}$/
const HOST_SUFFIX = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const refuse = (reason: string) => unprocessable(`connectionString: ${reason}`)

/** Splits `key=value;…` (a trailing `;` allowed; values may hold `=`); messages never quote a value. */
export function splitConnectionString(text: string): [Key, string][] {
  const entries: [Key, string][] = []
  const seen = new Set<Key>()
  for (const segment of text.split(';')) {
    if (segment.trim() === '') continue
    const at = segment.indexOf('=')
    const name = at < 0 ? '' : segment.slice(0, at).trim()
    const value = at < 0 ? '' : segment.slice(at + 1).trim()
    if (name === '' || value === '') {
      throw refuse("is not a list of key=value pairs separated by ';'.")
    }
    const key = BY_LOWER.get(name.toLowerCase())
    if (key === undefined) {
      if (name.toLowerCase() === 'usedevelopmentstorage') {
        throw refuse("UseDevelopmentStorage is not supported; give the emulator's AccountName, AccountKey and BlobEndpoint.")
      }
      throw refuse(`'${name.slice(0, 64)}' is not a known Azure Storage connection string key.`)
    }
    if (seen.has(key)) throw refuse(`'${key}' is given twice.`)
    seen.add(key)
    entries.push([key, value])
  }
  if (entries.length === 0) throw refuse('is empty.')
  return entries
}

/** Validates an Azure Storage connection string: its form, credentials and endpoints. */
export function parseConnectionString(text: string): StorageConnection {
  const entries = splitConnectionString(text)
  const values = new Map(entries)
  const protocol = values.get('DefaultEndpointsProtocol')
  if (protocol !== undefined && protocol !== 'https' && protocol !== 'http') {
    throw refuse("DefaultEndpointsProtocol must be 'https' or 'http'.")
  }
  const accountName = values.get('AccountName')
  if (accountName !== undefined && !ACCOUNT_NAME.test(accountName)) {
    throw refuse('AccountName must be 3-24 letters and digits.')
  }
  const accountKey = values.get('AccountKey')
  const sas = values.get('SharedAccessSignature')
  if (accountKey !== undefined && sas !== undefined) {
    throw refuse('give either AccountKey or SharedAccessSignature, not both.')
  }
  if (accountKey === undefined && sas === undefined) {
    throw refuse('needs AccountName and AccountKey, or a SharedAccessSignature.')
  }
  if (accountKey !== undefined) {
    if (accountName === undefined) throw refuse('AccountKey needs AccountName.')
    if (!BASE64.test(accountKey) || Buffer.from(accountKey, 'base64').length < 16) {
      throw refuse('AccountKey is not a base64 storage account key.')
    }
  }
  if (sas !== undefined) {
    const query = new URLSearchParams(sas.replace(/^\?/, ''))
    if (!query.get('sig') || !query.get('sv')) {
      throw refuse('SharedAccessSignature is not a shared access signature (it needs sv and sig).')
    }
  }
  const suffix = values.get('EndpointSuffix')
  if (suffix !== undefined && !HOST_SUFFIX.test(suffix)) {
    throw refuse('EndpointSuffix is not a DNS suffix such as core.windows.net.')
  }
  for (const [key, value] of entries) {
    if (!key.endsWith('Endpoint')) continue
    let url: URL | undefined
    try {
      url = new URL(value)
    } catch {
      url = undefined
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.username) {
      throw refuse(`${key} must be an http or https URL without query or credentials.`)
    }
  }
  let blobEndpoint = values.get('BlobEndpoint')
  if (blobEndpoint === undefined) {
    if (accountName === undefined) throw refuse('needs AccountName or BlobEndpoint.')
    blobEndpoint = `${protocol ?? 'https'}://${accountName}.blob.${suffix ?? 'core.windows.net'}`
  }
  return {
    entries,
    ...(accountName !== undefined ? { accountName } : {}),
    ...(accountKey !== undefined ? { accountKey } : {}),
    ...(sas !== undefined ? { sharedAccessSignature: sas } : {}),
    blobEndpoint: blobEndpoint.replace(/\/+$/, ''),
  }
}

/** The connection string with its secrets replaced by `*****`, as IoT Central answers it. */
export function maskConnectionString(entries: readonly [Key, string][]): string {
  return entries.map(([key, value]) => `${key}=${SECRET_KEYS.has(key) ? MASK : value}`).join(';')
}

/** Azure's container names: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit. */
export function containerNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63) return 'must be 3-63 characters long.'
  if (!/^[a-z0-9-]+$/.test(name)) return 'may hold only lowercase letters, digits and hyphens.'
  if (!/^[a-z0-9]/.test(name) || name.endsWith('-')) return 'must start and end with a letter or digit.'
  if (name.includes('--')) return 'must not hold two hyphens in a row.'
  return null
}

/** `PT1H` → 3600: ISO 8601 durations in weeks, days, hours, minutes and whole seconds; null if not one. */
export function durationSeconds(text: string): number | null {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text)
  if (!match || text === 'P' || text.endsWith('T')) return null
  const [w, d, h, m, s] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number]
  return (((w * 7 + d) * 24 + h) * 60 + m) * 60 + s
}
