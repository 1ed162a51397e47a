import { AppError } from '../errors/app-error.js'

/** The versions whose request and response shapes this server implements for its resources. */
export const API_VERSIONS: ReadonlySet<string> = new Set(['2022-07-31', '2022-10-31-preview'])

/** What IoT Central answers for a missing or unknown version. */
export function checkApiVersion(value: unknown): void {
  if (typeof value === 'string' && API_VERSIONS.has(value)) return
  const shown = typeof value === 'string' ? value : 'undefined'
  throw new AppError('NotFound', `"${shown}" is not a valid API version.`)
}
