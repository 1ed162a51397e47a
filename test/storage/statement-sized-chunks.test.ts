import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { statementSizedChunks } from '../../src/storage/repositories/statement-sized-chunks.js'

const sizes = (count: number, largest: number) =>
  [...statementSizedChunks(Array.from({ length: count }, (_, i) => i), largest)].map((chunk) => chunk.length)

describe('statement-sized chunks', () => {
  it('cuts rows into powers of two, largest first, at most the largest', () => {
    assert.deepEqual(sizes(1000, 512), [512, 256, 128, 64, 32, 8])
    assert.deepEqual(sizes(1300, 512), [512, 512, 256, 16, 4])
    assert.deepEqual(sizes(1, 512), [1])
    assert.deepEqual(sizes(0, 512), [])
  })

  it('keeps every row once, in order', () => {
    const rows = Array.from({ length: 777 }, (_, i) => i)
    assert.deepEqual([...statementSizedChunks(rows, 64)].flat(), rows)
  })
})
