import type { Permission } from '../authz/permissions.js'
import type { RoleAssignment } from '../authz/policy.js'

/** Who is calling, once a credential has been verified. */
export interface Principal {
  /** `apiToken` for SharedAccessSignature callers, `user` for Bearer callers. */
  readonly type: 'apiToken' | 'user'
  readonly id: string
  readonly scheme: 'SharedAccessSignature' | 'Bearer'
  readonly assignments: readonly RoleAssignment[]
  readonly permissions: ReadonlySet<Permission>
}
