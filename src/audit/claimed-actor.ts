import { decodeJwt } from 'jose'
import { parseApiTokenParameters } from '../auth/api-token-format.js'
import { API_TOKEN_ID_PATTERN } from '../services/api-token.service.js'
import type { Actor } from './audit-trail.js'

const TOKEN_ID = new RegExp(API_TOKEN_ID_PATTERN)
const DIRECTORY_ID = /^[A-Za-z0-9-]{1,64}$/

/**
 * Who a refused credential claimed to be, for the audit log: the token id of an API token, or the
 * tenant/object id of a bearer token (read, not verified: it is only what was claimed). Nothing
 * else of the credential is kept, and an id of the wrong shape is not kept at all.
 */
export function claimedActor(header: string | undefined): Actor {
  const anonymous: Actor = { type: 'anonymous', id: null }
  if (header === undefined) return anonymous
  const space = header.indexOf(' ')
  const scheme = header.slice(0, Math.max(space, 0)).toLowerCase()
  const parameters = header.slice(space + 1).trim()
  if (scheme === 'sharedaccesssignature') {
    const skn = parseApiTokenParameters(parameters)?.skn
    return skn !== undefined && TOKEN_ID.test(skn) ? { type: 'apiToken', id: skn } : anonymous
  }
  if (scheme === 'bearer') {
    try {
      const { tid, oid } = decodeJwt(parameters)
      if (typeof tid === 'string' && typeof oid === 'string' && DIRECTORY_ID.test(tid) && DIRECTORY_ID.test(oid)) {
        return { type: 'user', id: `${tid}/${oid}` }
      }
    } catch {
      // not a JWT: nothing claimed
    }
  }
  return anonymous
}
