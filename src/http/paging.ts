import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors/app-error.js'
import type { Page, PageRequest } from '../services/paging.js'

export const DEFAULT_PAGE_SIZE = 25

export interface PagedQueryValues {
  'api-version': string
  maxpagesize?: number | undefined
  $top?: number | undefined
  $skiptoken?: string | undefined
}

/** The page a list request asks for; the continuation is opaque to clients. */
export function pageRequest(query: PagedQueryValues): PageRequest {
  const limit = query.maxpagesize ?? query.$top ?? DEFAULT_PAGE_SIZE
  if (query.$skiptoken === undefined) return { after: null, limit }
  return { after: decodeSkipToken(query.$skiptoken), limit }
}

function decodeSkipToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown
    if (parsed && typeof parsed === 'object' && typeof (parsed as { after?: unknown }).after === 'string') {
      return (parsed as { after: string }).after
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('BadRequest', '$skiptoken: is not a valid continuation; follow nextLink as given.')
}

/** `{ value, nextLink? }`, with nextLink absolute and echoing the api-version and page size. */
export function collection<T>(
  request: FastifyRequest,
  publicUrl: string | undefined,
  query: PagedQueryValues,
  page: Page<T>,
): { value: T[]; nextLink?: string } {
  if (page.next === null) return { value: page.items }
  const base = publicUrl ?? `${request.protocol}://${request.host}`
  const path = request.url.split('?')[0] as string
  const skipToken = Buffer.from(JSON.stringify({ after: page.next })).toString('base64url')
  const limit = query.maxpagesize ?? query.$top ?? DEFAULT_PAGE_SIZE
  const search = new URLSearchParams({
    'api-version': query['api-version'],
    maxpagesize: String(limit),
    $skiptoken: skipToken,
  })
  return { value: page.items, nextLink: `${base.replace(/\/$/, '')}${path}?${search}` }
}
