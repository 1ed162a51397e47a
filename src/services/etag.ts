import { randomBytes } from 'node:crypto'
import { AppError } from '../errors/app-error.js'

const ETAG_BYTES = 12

/** A fresh opaque entity tag; clients treat it as opaque, as IoT Central's own. */
export function newEtag(): string {
  return randomBytes(ETAG_BYTES).toString('base64url')
}

/** `count` fresh entity tags from one draw: a bulk write would otherwise spend its time in the CSPRNG. */
export function newEtags(count: number): string[] {
  const bytes = randomBytes(ETAG_BYTES * count)
  return Array.from({ length: count }, (_, i) =>
    bytes.toString('base64url', i * ETAG_BYTES, (i + 1) * ETAG_BYTES),
  )
}

/**
 * The etag a write is conditional on: the body's `etag` field or an `If-Match` header
 * (quotes and a weak prefix tolerated; `*` matches anything that exists).
 */
export function expectedEtag(bodyEtag: unknown, ifMatch: string | undefined): string | null {
  const header = ifMatch?.trim()
  if (header) return header === '*' ? '*' : header.replace(/^W\//, '').replace(/^"(.*)"$/, '$1')
  return typeof bodyEtag === 'string' && bodyEtag !== '' ? bodyEtag : null
}

/** 412 unless `expected` (if any) names the stored etag. */
export function checkEtag(expected: string | null, stored: string | null, what: string): void {
  if (expected === null) return
  if (stored === null || (expected !== '*' && expected !== stored)) {
    throw new AppError(
      'PreconditionFailed',
      stored === null
        ? `${what} does not exist, so no etag can match.`
        : `${what} has changed since the etag '${expected}' was read; read it again and retry.`,
    )
  }
}

/**
 * Writes a row read earlier in the same transaction: inserts it when none was read (`readEtag`
 * undefined), else updates it only where its etag is still the one read (`update` answers whether
 * a row changed). Another writer in between is a 412 naming `what`.
 */
export async function insertOrUpdateRead(
  readEtag: string | undefined,
  write: { insert(): Promise<unknown>; update(etag: string): Promise<boolean> },
  what: string,
): Promise<void> {
  if (readEtag === undefined) {
    await write.insert()
    return
  }
  if (!(await write.update(readEtag))) {
    throw new AppError('PreconditionFailed', `${what} changed during the update; retry.`)
  }
}
