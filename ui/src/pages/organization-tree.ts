import type { Organization } from '../api/types'

export interface OrganizationNode {
  organization: Organization
  children: OrganizationNode[]
}

/** The flat list as a forest, children sorted by name. */
export function organizationTree(organizations: Organization[]): OrganizationNode[] {
  const nodes = new Map(
    organizations.map((o) => [o.id, { organization: o, children: [] as OrganizationNode[] }]),
  )
  const roots: OrganizationNode[] = []
  for (const node of nodes.values()) {
    const parent = node.organization.parent ? nodes.get(node.organization.parent) : undefined
    ;(parent ? parent.children : roots).push(node)
  }
  const sort = (list: OrganizationNode[]) => {
    list.sort((a, b) => a.organization.displayName.localeCompare(b.organization.displayName))
    for (const node of list) sort(node.children)
  }
  sort(roots)
  return roots
}

/** The organization and everything below it: none of them can become its parent. */
export function subtreeIds(node: OrganizationNode): Set<string> {
  const ids = new Set([node.organization.id])
  for (const child of node.children) for (const id of subtreeIds(child)) ids.add(id)
  return ids
}
