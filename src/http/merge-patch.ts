import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors/app-error.js'

/** The content types a JSON merge patch is read from. */
const MERGE_PATCH_TYPES = new Set(['application/merge-patch+json', 'application/json'])

/**
 * `preParsing` hook of the PATCHes the spec declares as `application/merge-patch+json` only
 * (enrollment groups, device relationships, scheduled jobs). IoT Central also takes
 * `application/json` there, read as the same merge patch (Microsoft's `az iot central` sends it);
 * any other content type, or none, is 415 before the body is read.
 */
export async function jsonMergePatchOnly(request: FastifyRequest): Promise<void> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (!MERGE_PATCH_TYPES.has(type)) {
    throw new AppError(
      'UnsupportedMediaType',
      'The body of this PATCH must be a JSON merge patch (Content-Type: application/merge-patch+json or application/json).',
    )
  }
}
