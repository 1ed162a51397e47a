import { errors, type Configuration } from 'oidc-provider'
import { ACCESS_TOKEN_TTL_SECONDS, USER_SCOPE } from './constants.js'
import { SIGNING_ALGORITHM } from './signing-keys.js'

type ResourceIndicators = Required<
  Pick<
    NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>,
    'defaultResource' | 'useGrantedResource' | 'getResourceServerInfo'
  >
>

/**
 * Access tokens are for one resource, as with Entra's `--resource`: one of the accepted audiences
 * (`--audience`), the first one when the client names none. Anything else is `invalid_target`.
 * The tokens are JWTs signed RS256, valid an hour.
 */
export function resourceIndicators(audiences: readonly string[]): ResourceIndicators {
  const accepted = new Set(audiences)
  return {
    defaultResource: async (_ctx, _client, oneOf) => oneOf ?? audiences[0],
    // Device and refresh-token requests carry no resource: the one granted at authorization applies.
    useGrantedResource: async () => true,
    async getResourceServerInfo(_ctx, resource) {
      if (!accepted.has(resource)) {
        throw new errors.InvalidTarget(`the resource is not one this server issues tokens for`)
      }
      return {
        scope: USER_SCOPE,
        audience: resource,
        accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: SIGNING_ALGORITHM } },
      }
    },
  }
}
