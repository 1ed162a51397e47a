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

  async authenticate(token: string): Promise<Principal> {
    return this.matcher.match(await this.verifier.verify(token))
  }
}
