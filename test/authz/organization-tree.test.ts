import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  ancestorsOf,
  childrenOf,
  depthOf,
  heightOf,
  placementProblem,
  subtreeOf,
  type OrganizationTree,
} from '../../src/authz/organization-tree.js'

//   us ─┬─ wa ── seattle ── downtown ── pier
//       └─ ca
//   eu
const TREE: OrganizationTree = new Map([
  ['us', null],
  ['wa', 'us'],
  ['ca', 'us'],
  ['seattle', 'wa'],
  ['downtown', 'seattle'],
  ['pier', 'downtown'],
  ['eu', null],
])

describe('organization tree', () => {
  const ancestors: [string, string[]][] = [
    ['us', []],
    ['wa', ['us']],
    ['pier', ['downtown', 'seattle', 'wa', 'us']],
    ['unknown', []],
  ]
  for (const [id, expected] of ancestors) {
    it(`ancestors of ${id}: ${expected.join(', ') || 'none'}`, () => {
      assert.deepEqual(ancestorsOf(TREE, id), expected)
    })
  }

  it('stops at a cycle instead of looping', () => {
    const cyclic: OrganizationTree = new Map([
      ['a', 'b'],
      ['b', 'a'],
    ])
    assert.deepEqual(ancestorsOf(cyclic, 'a'), ['b'])
  })

  const depths: [string, number][] = [
    ['us', 1],
    ['eu', 1],
    ['wa', 2],
    ['seattle', 3],
    ['pier', 5],
  ]
  for (const [id, depth] of depths) {
    it(`depth of ${id} is ${depth}`, () => assert.equal(depthOf(TREE, id), depth))
  }

  const subtrees: [string, string[]][] = [
    ['us', ['us', 'wa', 'ca', 'seattle', 'downtown', 'pier']],
    ['wa', ['wa', 'seattle', 'downtown', 'pier']],
    ['ca', ['ca']],
    ['eu', ['eu']],
    ['unknown', []],
  ]
  for (const [id, expected] of subtrees) {
    it(`subtree of ${id}: ${expected.join(', ') || 'empty'}`, () => {
      assert.deepEqual([...subtreeOf(TREE, id)].sort(), [...expected].sort())
    })
  }

  const heights: [string, number][] = [
    ['us', 5],
    ['wa', 4],
    ['ca', 1],
    ['pier', 1],
  ]
  for (const [id, height] of heights) {
    it(`height of ${id} is ${height}`, () => assert.equal(heightOf(TREE, id), height))
  }

  it('lists the children of an organization', () => {
    assert.deepEqual(childrenOf(TREE, 'us').sort(), ['ca', 'wa'])
    assert.deepEqual(childrenOf(TREE, 'pier'), [])
  })

  const placements: [string, string, string | null, string | RegExp | null][] = [
    ['a new top-level organization', 'new', null, null],
    ['a new child of a leaf at depth 4', 'new', 'downtown', null],
    ['a new child at depth 6', 'new', 'pier', /more than 5 organizations deep/],
    [
      'a new child of an unknown parent',
      'new',
      'nowhere',
      "the organization 'nowhere' does not exist.",
    ],
    ['an organization under itself', 'wa', 'wa', 'an organization cannot be its own parent.'],
    ['an organization under its child', 'wa', 'seattle', /cannot move into its own subtree/],
    [
      'an organization under its deepest descendant',
      'us',
      'pier',
      /cannot move into its own subtree/,
    ],
    ['a subtree 4 deep under a top-level sibling', 'wa', 'eu', null],
    ['a subtree 4 deep one level lower', 'wa', 'ca', /more than 5 organizations deep/],
    ['a leaf moved to the top', 'pier', null, null],
    ['a subtree moved to the top', 'seattle', null, null],
  ]
  for (const [what, id, parent, expected] of placements) {
    it(`placement: ${what} → ${expected === null ? 'allowed' : 'refused'}`, () => {
      const problem = placementProblem(TREE, id, parent)
      if (expected === null) assert.equal(problem, null)
      else if (typeof expected === 'string') assert.equal(problem, expected)
      else assert.match(problem ?? '', expected)
    })
  }
})
