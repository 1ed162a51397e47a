import { errors, type Configuration } from 'oidc-provider'
import type { AccountService } from './accounts.js'
import { USER_SCOPE } from './constants.js'
import type { ServicePrincipalService } from './service-principals.js'

type Hooks = Required<Pick<Configuration, 'extraTokenClaims'>> & {
  customizeJwt: NonNullable<
    NonNullable<NonNullable<Configuration['formats']>['customizers']>['jwt']
  >
}

/**
 * Entra-shaped claims (identity.md §6), so that code written for Entra tokens reads ours alike:
 * `tid`, `oid` (immutable object id), `ver`, `idtyp`, and `appid`/`azp` (the client). App-only
 * tokens carry no `scp`; user tokens carry `scp` and the display claims `email`, `upn`, `name`.
 */
export function tokenClaimHooks(
  tenantId: string,
  servicePrincipals: ServicePrincipalService,
  accounts: AccountService,
): Hooks {
  return {
    async extraTokenClaims(_ctx, token) {
      const clientId = token.clientId
      if (token.kind === 'ClientCredentials') {
        const principal = clientId ? await servicePrincipals.findByAppId(clientId) : undefined
        if (!principal) throw new errors.InvalidClient('the service principal no longer exists')
        return {
          tid: tenantId,
          oid: principal.object_id,
          idtyp: 'app',
          appid: clientId,
          azp: clientId,
          ver: '2.0',
        }
      }
      const accountId = (token as { accountId?: string }).accountId
      const account = accountId ? await accounts.get(accountId) : undefined
      if (!account) throw new errors.InvalidGrant('the account no longer exists')
      return {
        tid: tenantId,
        oid: account.objectId,
        idtyp: 'user',
        email: account.email,
        upn: account.email,
        name: account.displayName ?? account.email,
        scp: USER_SCOPE,
        azp: clientId,
        ver: '2.0',
      }
    },

    // oidc-provider sets `sub` to the client id for app-only tokens; Entra's `sub` is the object id.
    // `nbf` is set like Entra does, equal to `iat`.
    customizeJwt(_ctx, _token, jwt) {
      const { payload } = jwt
      if (typeof payload.oid === 'string') payload.sub = payload.oid
      payload.nbf = payload.iat
    },
  }
}
