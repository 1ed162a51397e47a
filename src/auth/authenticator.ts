import type { ApiTokenAuthenticator } from './api-token-authenticator.js'
import { invalidToken, missingCredential } from './challenges.js'
import type { Principal } from './principal.js'

/** Verifies one kind of bearer credential; the bearer-token layer plugs in here. */
export interface BearerVerifier {
  authenticate(token: string): Principal | Promise<Principal>
}

/**
 * Reads the `Authorization` header and hands it to the verifier of its scheme. Scheme names are
 * case-insensitive (RFC 9110); anything else in the header is a malformed credential.
 */
export class Authenticator {
  constructor(
    private readonly apiTokens: ApiTokenAuthenticator,
    private readonly bearer: BearerVerifier | null = null,
  ) {}

  /** Synchronous when the credential is already known (see ApiTokenAuthenticator). */
  authenticate(header: string | undefined): Principal | Promise<Principal> {
    if (header === undefined || header.trim() === '') throw missingCredential()
    const space = header.indexOf(' ')
    if (space <= 0) throw invalidToken()
    const scheme = schemeOf(header, space)
    const parameters = header.slice(space + 1).trim()
    if (parameters === '' || parameters.includes(' ')) throw invalidToken()
    if (scheme === 'sharedaccesssignature') return this.apiTokens.authenticate(parameters)
    if (scheme === 'bearer') {
      if (!this.bearer) {
        throw invalidToken('Bearer tokens are not accepted: this server trusts no token issuer.')
      }
      return this.bearer.authenticate(parameters)
    }
    throw invalidToken()
  }
}

const API_TOKEN_SCHEME = 'SharedAccessSignature'

/** The scheme, lowercased; the one every IoT Central client writes is recognised without a copy. */
function schemeOf(header: string, space: number): string {
  if (space === API_TOKEN_SCHEME.length && header.startsWith(API_TOKEN_SCHEME)) return 'sharedaccesssignature'
  return header.slice(0, space).toLowerCase()
}
