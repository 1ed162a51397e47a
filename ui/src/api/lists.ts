import type { ApiClient } from './client'
import type { Organization, Page, Role } from './types'

type May = (permission: string) => boolean

/** The organizations, or none when the caller may not read them (the pages then offer none). */
export async function organizationsFor(api: ApiClient, may: May): Promise<Organization[]> {
  if (!may('organizations.read')) return []
  return (await api.get<Page<Organization>>('/organizations')).value
}

/** Roles and organizations, for pages that assign roles (tokens, users). */
export async function assignableRoles(
  api: ApiClient,
  may: May,
): Promise<{ roles: Role[]; organizations: Organization[] }> {
  const [roles, organizations] = await Promise.all([
    api.get<Page<Role>>('/roles'),
    organizationsFor(api, may),
  ])
  return { roles: roles.value, organizations }
}

/** Display names for role and organization ids, falling back to the id. */
export function namer(list: { roles: Role[]; organizations: Organization[] } | null) {
  return {
    role: (id: string) => list?.roles.find((role) => role.id === id)?.displayName ?? id,
    organization: (id: string) =>
      list?.organizations.find((organization) => organization.id === id)?.displayName ?? id,
  }
}
