import type { Access, RoleAssignment } from '../../authz/policy.js'
import { forbidden } from '../../errors/app-error.js'
import { roleAssignmentRepository } from '../../storage/repositories/role-assignment.repository.js'
import { userRepository } from '../../storage/repositories/user.repository.js'
import type { UserRow } from '../../storage/schema.js'
import { FillGuard } from '../../storage/fill-guard.js'
import type { Store } from '../../storage/store.js'
import { BoundedCache } from '../bounded-cache.js'
import { makePrincipal, type PermissionResolver, type Principal } from '../principal.js'
import type { VerifiedToken } from './token-verifier.js'

interface Membership {
  /** The user the caller is (its own entry, or the first group that admits it). */
  userId: string
  assignments: RoleAssignment[]
}

/** Computed once per verified token: the verifier hands out the same object while it is cached. */
const membershipKeys = new WeakMap<VerifiedToken, string>()

function membershipKey(token: VerifiedToken): string {
  let key = membershipKeys.get(token)
  if (key === undefined) {
    key = composeMembershipKey(token)
    membershipKeys.set(token, key)
  }
  return key
}

function composeMembershipKey(token: VerifiedToken): string {
  return [
    token.issuer.issuer,
    token.tenantId,
    token.objectId,
    token.appOnly ? 'app' : 'user',
    token.email ?? '',
    (token.groups ?? []).join(','),
  ].join('\u0000')
}

/**
 * Finds which user of the application a verified token belongs to, by `(tenant, object id)`:
 * - an app-only token: the `servicePrincipal` user with that tenant and object id;
 * - a person: the `email` user bound to that identity, or — for an issuer trusted for email —
 *   an unbound email user with the token's email, which is bound to it on this first sign-in;
 * - a person in `adGroup` users named by the token's `groups` claim (same tenant) gets their roles
 *   too; service principals never gain roles through a group.
 * Results are cached and dropped on any change to users, here or on another node.
 */
export class PrincipalMatcher {
  private readonly memberships: BoundedCache<string, Membership | null>
  private readonly fill: FillGuard

  constructor(
    private readonly store: Store,
    private readonly resolvePermissions: PermissionResolver,
    cacheSize: number,
  ) {
    this.memberships = new BoundedCache(cacheSize, 'bearerPrincipals')
    store.changes.subscribe((topic) => {
      if (topic === null || topic === 'user') this.memberships.clear()
    })
    this.fill = new FillGuard(store.changes, ['user'])
  }

  /** Synchronous when the membership is cached and the roles are known. */
  match(token: VerifiedToken): Principal | Promise<Principal> {
    const key = membershipKey(token)
    const ticket = this.fill.begin()
    if (ticket !== null) {
      const cached = this.memberships.get(key)
      if (cached !== undefined) return this.principalOf(token, cached)
    }
    return this.lookUp(token).then((membership) => {
      // A user or assignment change announced while the reads ran may postdate them: not kept.
      if (this.fill.mayKeep(ticket)) this.memberships.set(key, membership)
      return this.principalOf(token, membership)
    })
  }

  private principalOf(token: VerifiedToken, membership: Membership | null): Principal | Promise<Principal> {
    if (!membership) {
      const overage = token.groupOverage
        ? ' The token carried no group list (the issuer left the groups out because there are too many), so no group membership could be used.'
        : ''
      throw forbidden(
        `The ${token.appOnly ? 'service principal' : 'principal'} with tenant ${token.tenantId} and object id ${token.objectId} is not a user of this application.${overage}`,
      )
    }
    const principal = (access: Access): Principal =>
      makePrincipal('user', membership.userId, 'Bearer', membership.assignments, access)
    const access = this.resolvePermissions(membership.assignments)
    return access instanceof Promise ? access.then(principal) : principal(access)
  }

  private async lookUp(token: VerifiedToken): Promise<Membership | null> {
    const db = this.store.db
    const own = token.appOnly
      ? await userRepository.findByDirectoryObject(db, 'servicePrincipal', token.tenantId, token.objectId)
      : await this.personUser(token)
    const groups =
      token.appOnly || !token.groups
        ? []
        : await userRepository.findDirectoryObjects(db, 'adGroup', token.tenantId, token.groups)
    const members = [...(own ? [own] : []), ...groups]
    if (members.length === 0) return null
    const byUser = await roleAssignmentRepository.listForMany(
      db,
      'user',
      members.map((m) => m.id),
    )
    const assignments: RoleAssignment[] = []
    const seen = new Set<string>()
    for (const member of members) {
      for (const assignment of byUser.get(member.id) ?? []) {
        const id = `${assignment.role}\u0000${assignment.organization ?? ''}`
        if (!seen.has(id)) assignments.push(assignment)
        seen.add(id)
      }
    }
    return { userId: (members[0] as UserRow).id, assignments }
  }

  private async personUser(token: VerifiedToken): Promise<UserRow | undefined> {
    const db = this.store.db
    const bound = await userRepository.findBoundTo(db, token.tenantId, token.objectId)
    if (bound || !token.issuer.trustEmail || !token.email) return bound
    const candidate = await userRepository.findByEmailKey(db, token.email.toLowerCase())
    if (!candidate || candidate.type !== 'email' || candidate.bound_object_id !== null) return undefined
    if (!(await userRepository.bind(db, candidate.id, token.tenantId, token.objectId))) return undefined
    await this.store.changes.publish('user', candidate.id)
    return { ...candidate, bound_tenant_id: token.tenantId, bound_object_id: token.objectId }
  }
}
