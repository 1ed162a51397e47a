import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { it } from 'node:test'
import { loadConfig } from '../../src/config/load.js'
import { openStore } from '../../src/storage/open-store.js'

it('an SQLite store closed twice closes, the second time at once (its checkpoint thread has ended)', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-close-'))
  try {
    const store = await openStore(loadConfig({ overrides: { dataDir, logLevel: 'silent' } }))
    await store.close()
    const second = await Promise.race([
      store.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5000).unref()),
    ])
    assert.equal(second, 'closed')
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
})
