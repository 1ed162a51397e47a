/**
 * The organization hierarchy as the scope rules need it: each organization's parent, `null` for a
 * top-level organization (which hangs under the application's root). Pure functions only.
 */
export type OrganizationTree = ReadonlyMap<string, string | null>

/** IoT Central's limits: a hierarchy at most 5 deep, at most 200 organizations. */
export const MAX_ORGANIZATION_DEPTH = 5
export const MAX_ORGANIZATIONS = 200

/** The ancestors of `id`, its parent first. Stops at a cycle rather than looping on bad data. */
export function ancestorsOf(tree: OrganizationTree, id: string): string[] {
  const result: string[] = []
  let parent = tree.get(id) ?? null
  while (parent !== null && parent !== id && !result.includes(parent)) {
    result.push(parent)
    parent = tree.get(parent) ?? null
  }
  return result
}

/** 1 for a top-level organization, 2 for its children, and so on. */
export function depthOf(tree: OrganizationTree, id: string): number {
  return ancestorsOf(tree, id).length + 1
}

/** `id` and every organization below it; empty when `id` is not in the tree. */
export function subtreeOf(tree: OrganizationTree, id: string): Set<string> {
  const result = new Set<string>()
  if (!tree.has(id)) return result
  result.add(id)
  // Few organizations (at most 200): sweeping until nothing changes is simpler than an index.
  let grew = true
  while (grew) {
    grew = false
    for (const [child, parent] of tree) {
      if (parent !== null && result.has(parent) && !result.has(child)) {
        result.add(child)
        grew = true
      }
    }
  }
  return result
}

/** How many levels `id` and its descendants span: 1 for an organization without children. */
export function heightOf(tree: OrganizationTree, id: string): number {
  const base = depthOf(tree, id)
  let deepest = base
  for (const member of subtreeOf(tree, id)) deepest = Math.max(deepest, depthOf(tree, member))
  return deepest - base + 1
}

/** The organizations directly below `id`. */
export function childrenOf(tree: OrganizationTree, id: string): string[] {
  return [...tree].filter(([, parent]) => parent === id).map(([child]) => child)
}

/**
 * Why `id` cannot hang under `parent` (null: top level), or null when it can: the parent must
 * exist, must not be `id` or one of its descendants, and the hierarchy must stay 5 deep at most.
 */
export function placementProblem(
  tree: OrganizationTree,
  id: string,
  parent: string | null,
): string | null {
  if (parent === null) {
    return heightOf(tree, id) > MAX_ORGANIZATION_DEPTH ? depthProblem() : null
  }
  if (!tree.has(parent)) return `the organization '${parent}' does not exist.`
  if (parent === id) return 'an organization cannot be its own parent.'
  if (tree.has(id) && subtreeOf(tree, id).has(parent)) {
    return `'${parent}' is below '${id}': an organization cannot move into its own subtree.`
  }
  const height = tree.has(id) ? heightOf(tree, id) : 1
  return depthOf(tree, parent) + height > MAX_ORGANIZATION_DEPTH ? depthProblem() : null
}

const depthProblem = () =>
  `the hierarchy would be more than ${MAX_ORGANIZATION_DEPTH} organizations deep.`
