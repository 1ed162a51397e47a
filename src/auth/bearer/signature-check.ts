import { createDecoder, createVerifier, TokenError } from 'fast-jwt'
import type { JWTHeaderParameters, JWTPayload } from 'jose'
import { KeyObject, type webcrypto } from 'node:crypto'
import type { IssuerTrust } from './issuer-trust.js'

/** Verifies a compact JWS with one key: signature, algorithm, crit, issuer, audience and `exp`'s presence. */
type SignatureCheck = (token: string) => Record<string, unknown>

/**
 * One fast-jwt verifier per key an issuer's key set handed out. jose finds the key (JWKS, `kid`,
 * rotation, cooldown), but its WebCrypto verification is asynchronous: each signature is a job on
 * libuv's thread pool and a promise, several times the cost of the signature itself. fast-jwt
 * verifies with node:crypto, synchronously, with the key parsed once. The key objects come from
 * jose's own cache, so a rotated-out key's verifier goes with it (WeakMap).
 *
 * Times (`exp`, `nbf`) are left to the caller, which reads the server's clock.
 */
export class SignatureChecks {
  private readonly checks = new WeakMap<object, SignatureCheck>()

  constructor(private readonly trust: IssuerTrust) {}

  for(key: object): SignatureCheck {
    let check = this.checks.get(key)
    if (!check) {
      const keyObject = key instanceof KeyObject ? key : KeyObject.from(key as webcrypto.CryptoKey)
      check = createVerifier({
        key: keyObject.export({ type: 'spki', format: 'pem' }) as string,
        algorithms: [...this.trust.algorithms] as never,
        allowedIss: this.trust.issuer,
        allowedAud: [...this.trust.audiences],
        requiredClaims: ['exp'],
        ignoreExpiration: true,
        ignoreNotBefore: true,
      }) as SignatureCheck
      this.checks.set(key, check)
    }
    return check
  }
}

/** A compact JWS read but not verified: header and claims, each a JSON object. */
export interface DecodedToken {
  header: JWTHeaderParameters
  payload: JWTPayload
}

/** Reads a token's header and claims without verifying it (malformed: throws). */
export const decodeToken = createDecoder({ complete: true }) as (token: string) => DecodedToken

export { TokenError }
