import { errors, type Configuration } from 'oidc-provider'
import type { AccountService } from './accounts.js'
import { USER_SCOPE } from './constants.js'
import type { EntraPaths } from './entra/entra-paths.js'
import { TOKEN_FORM_HEADER } from './entra/token-form-header.js'
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
  entra: EntraPaths,
  servicePrincipals: ServicePrincipalService,
  accounts: AccountService,
): Hooks {
  const tenantId = entra.tenantId
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
    // `nbf` is set like Entra does, equal to `iat`. Asked through the Entra-shaped endpoints, the
    // token names the issuer as Entra would, v1 tokens with `ver` 1.0.
    customizeJwt(ctx, _token, jwt) {
      const { payload } = jwt
      if (typeof payload.oid === 'string') payload.sub = payload.oid
      payload.nbf = payload.iat
      const form = ctx?.get(TOKEN_FORM_HEADER)
      if (form === 'v1' || form === 'v2') {
        payload.iss = entra.issuer(form)
        payload.ver = form === 'v1' ? '1.0' : '2.0'
      }
    },
  }
}
