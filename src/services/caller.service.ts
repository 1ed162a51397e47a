import type { Principal } from '../auth/principal.js'
import type { Permission } from '../authz/permissions.js'
import type { RoleAssignment } from '../authz/policy.js'
import { organizationPermissions } from '../authz/scope.js'
import type { OrganizationCatalog } from './organization-catalog.js'

/** What `GET /api/me` answers: who is calling, its assignments, and what it may do where. */
export interface CallerView {
  principal: { type: Principal['type']; id: string }
  roles: RoleAssignment[]
  permissions: {
    /** Held across the whole application, in every organization too. */
    application: Permission[]
    /** For each organization reached through an organization role (descendants included). */
    organizations: Record<string, Permission[]>
  }
}

const sorted = (permissions: Iterable<Permission>): Permission[] => [...permissions].sort()

/** Explains a caller to itself, so that a puzzling 403 can be understood. */
export class CallerService {
  constructor(private readonly organizations: OrganizationCatalog) {}

  async describe(caller: Principal): Promise<CallerView> {
    const { tree } = await this.organizations.current()
    const perOrganization = organizationPermissions(caller, tree)
    return {
      principal: { type: caller.type, id: caller.id },
      roles: caller.assignments.map((a) =>
        a.organization === undefined
          ? { role: a.role }
          : { role: a.role, organization: a.organization },
      ),
      permissions: {
        application: sorted(caller.application),
        organizations: Object.fromEntries(
          [...perOrganization].map(([id, held]) => [id, sorted(held)]),
        ),
      },
    }
  }
}
