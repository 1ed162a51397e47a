/** Lifetime of every access token the embedded issuer signs, in seconds (Entra's are about an hour). */
export const ACCESS_TOKEN_TTL_SECONDS = 3600

/**
 * A retired signing key stays published this long after rotation: past one token lifetime every
 * token it signed has expired; the second lifetime covers clock skew and cached key sets.
 */
export const RETIRED_KEY_GRACE_SECONDS = 2 * ACCESS_TOKEN_TTL_SECONDS

/** The delegated scope Entra puts in `scp` for user tokens to IoT Central. */
export const USER_SCOPE = 'user_impersonation'

/** Public client of `opencentral login` (device authorization flow). */
export const CLI_CLIENT_ID = 'opencentral-cli'

/** Public client for a browser application (authorization code + PKCE). */
export const UI_CLIENT_ID = 'opencentral-ui'

/** Where the provider is mounted, below the public URL. */
export const IDP_PATH = '/oidc'

/** The resource IoT Central clients ask tokens for (`az account get-access-token --resource`). */
export const IOT_CENTRAL_RESOURCE = 'https://apps.azureiotcentral.com'
