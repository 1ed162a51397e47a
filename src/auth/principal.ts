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

/**
 * Turns role assignments into permissions, from the roles as they are now; a role's change
 * therefore applies on the next request of every holder.
 */
export type PermissionResolver = (
  assignments: readonly RoleAssignment[],
) => Promise<ReadonlySet<Permission>>
