import type { Permission } from '../authz/permissions.js'
import type { Principal } from '../auth/principal.js'

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
  }
  interface FastifyRequest {
    principal: Principal | null
  }
}

export {}
