import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BoundedCache, cacheStatistics } from '../../src/auth/bounded-cache.js'

describe('bounded cache', () => {
  it('evicts the least recently used entry, a read counting as a use', () => {
    const cache = new BoundedCache<string, number>(2)
    cache.set('a', 1)
    cache.set('b', 2)
    assert.equal(cache.get('a'), 1)
    cache.set('c', 3)
    assert.equal(cache.get('b'), undefined)
    assert.equal(cache.get('a'), 1)
    assert.equal(cache.get('c'), 3)
    assert.equal(cache.size, 2)
  })

  it('keeps a known absence (null) apart from a miss', () => {
    const cache = new BoundedCache<string, string | null>(4)
    cache.set('nobody', null)
    assert.equal(cache.get('nobody'), null)
    assert.equal(cache.get('unknown'), undefined)
  })

  it('caches nothing at capacity 0', () => {
    const cache = new BoundedCache<string, number>(0)
    cache.set('a', 1)
    assert.equal(cache.get('a'), undefined)
    assert.equal(cache.size, 0)
  })

  it('deletes and clears', () => {
    const cache = new BoundedCache<string, number>(4)
    cache.set('a', 1)
    cache.set('b', 2)
    cache.delete('a')
    assert.equal(cache.get('a'), undefined)
    assert.equal(cache.get('b'), 2)
    cache.clear()
    assert.equal(cache.size, 0)
  })

  it('counts hits and misses of named caches, summed by name', () => {
    const name = `test-${Math.random()}`
    const first = new BoundedCache<string, number>(4, name)
    const second = new BoundedCache<string, number>(4, name)
    first.set('a', 1)
    first.get('a')
    first.get('b')
    second.set('c', 3)
    second.get('c')
    assert.deepEqual(
      cacheStatistics().find((statistics) => statistics.name === name),
      { name, hits: 2, misses: 1, size: 2 },
    )
  })
})
