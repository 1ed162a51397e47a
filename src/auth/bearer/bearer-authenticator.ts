import type { BearerVerifier } from '../authenticator.js'
import type { Principal } from '../principal.js'
import type { PrincipalMatcher } from './principal-matcher.js'
import type { TokenVerifier } from './token-verifier.js'

/** `Authorization: Bearer <JWT>`: verify the token, then find the application user it belongs to. */
export class BearerAuthenticator implements BearerVerifier {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly matcher: PrincipalMatcher,
  ) {}

  /** Synchronous when the token and its user are already known (no promise on the hot path). */
  authenticate(token: string): Principal | Promise<Principal> {
    const verified = this.verifier.verify(token)
    return verified instanceof Promise
      ? verified.then((known) => this.matcher.match(known))
      : this.matcher.match(verified)
  }
}
