import assert from 'node:assert/strict'
import type { Dialect } from '../../src/storage/store.js'
import { tempDataDir, type CliResult } from './cli.js'
import { createTestDatabase } from './dialects.js'

/** One store for one test: a fresh SQLite folder, or a fresh PostgreSQL database (plus a folder). */
export interface TestStore {
  /** The flags that name the store, as the operator would pass them. */
  flags: string[]
  dataDir: string
  databaseUrl: string | undefined
  remove(): Promise<void>
}

export async function createStore(dialect: Dialect): Promise<TestStore> {
  const data = tempDataDir()
  const database = dialect === 'postgres' ? await createTestDatabase() : null
  return {
    flags: database ? ['--database', database.url, '--data', data.dir] : ['--data', data.dir],
    dataDir: data.dir,
    databaseUrl: database?.url,
    async remove() {
      await database?.drop()
      data.remove()
    },
  }
}

/** Asserts a command's exit code, showing both streams when it differs. */
export function expectExit(result: CliResult, code: number): void {
  assert.equal(
    result.code,
    code,
    `exit code ${result.code}, expected ${code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
  )
}
