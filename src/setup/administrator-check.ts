import { ROLE_IDS } from '../authz/builtin-roles.js'
import type { Store } from '../storage/store.js'

/**
 * Whether some person can sign in as an Administrator: an email user holding the Administrator
 * role application-wide, either bound to an identity of the embedded issuer or, still unbound,
 * with an embedded account of the same email (bound on first sign-in).
 */
export async function administratorCanSignIn(store: Store, tenantId: string): Promise<boolean> {
  const found = await store.db
    .selectFrom('role_assignments as ra')
    .innerJoin('users as u', 'u.id', 'ra.principal_id')
    .leftJoin('idp_accounts as a', 'a.email_key', 'u.email_key')
    .select('u.id')
    .where('ra.principal_type', '=', 'user')
    .where('ra.role_id', '=', ROLE_IDS.administrator)
    .where('ra.organization_id', 'is', null)
    .where('u.type', '=', 'email')
    .where((eb) =>
      eb.or([
        eb('u.bound_tenant_id', '=', tenantId),
        eb.and([eb('u.bound_object_id', 'is', null), eb('a.object_id', 'is not', null)]),
      ]),
    )
    .limit(1)
    .executeTakeFirst()
  return found !== undefined
}
