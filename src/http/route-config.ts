import type { Permission } from '../authz/permissions.js'
import type { Principal } from '../auth/principal.js'
import type { ApiVersion, Capability } from './api-versions.js'

/**
 * Every route declares who may call it: a permission (or any of several, when the service decides
 * which one applies, as PUT does for create-or-replace), `authenticated: true` (any caller with a
 * valid credential, whatever its roles), or `public: true`.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission | readonly Permission[]
    authenticated?: boolean
    public?: boolean
    /** The route exists only in the api-versions that have this capability (404 in the others). */
    capability?: Capability
  }
  interface FastifyRequest {
    principal: Principal | null
    /** The api-version a protected route was called with (checked before the handler runs). */
    apiVersion: ApiVersion
  }
}

export {}
