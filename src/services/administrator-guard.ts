import { ROLE_IDS } from '../authz/builtin-roles.js'
import type { RoleAssignment } from '../authz/policy.js'
import { conflict } from '../errors/app-error.js'
import {
  roleAssignmentRepository,
  type PrincipalType,
} from '../storage/repositories/role-assignment.repository.js'
import type { Executor } from '../storage/repositories/executor.js'

const isAdministrator = (assignments: readonly RoleAssignment[]): boolean =>
  assignments.some((a) => a.role === ROLE_IDS.administrator && a.organization === undefined)

/**
 * The application must always keep one principal (user or unexpired API token) holding the
 * Administrator role, or it would lock itself out. Call inside the transaction that removes or
 * demotes `principal`, after taking the application lock; `nextAssignments` null means removal.
 */
export async function ensureAdministratorRemains(
  trx: Executor,
  principal: { type: PrincipalType; id: string },
  currentAssignments: readonly RoleAssignment[],
  nextAssignments: readonly RoleAssignment[] | null,
  nowMs: number,
): Promise<void> {
  if (!isAdministrator(currentAssignments)) return
  if (nextAssignments && isAdministrator(nextAssignments)) return
  const holders = await roleAssignmentRepository.holdersOfApplicationRole(
    trx,
    ROLE_IDS.administrator,
    nowMs,
  )
  const others = holders.filter((h) => !(h.type === principal.type && h.id === principal.id))
  if (others.length === 0) {
    throw conflict(
      `This is the application's last Administrator: add another Administrator before ${nextAssignments ? 'changing its roles' : 'removing it'}.`,
    )
  }
}
