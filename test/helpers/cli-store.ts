import assert from 'node:assert/strict'
import { quietOutput } from '../../src/cli/output.js'
import { withServices } from '../../src/cli/store-session.js'
import { loadConfig } from '../../src/config/load.js'
import type { Services } from '../../src/services/index.js'
import { openStore } from '../../src/storage/open-store.js'
import type { Dialect } from '../../src/storage/store.js'
import { tempDataDir, type CliResult } from './cli.js'
import { createTestDatabase } from './dialects.js'

/** One store for one test: a fresh SQLite folder, or a fresh PostgreSQL database (plus a folder). */
export interface TestStore {
  /** The flags that name the store, as the operator would pass them. */
  flags: string[]
  dataDir: string
  databaseUrl: string | undefined
  /** Opens the store in this process as a CLI command does, and hands `work` its services. */
  services<T>(work: (services: Services) => T | Promise<T>): Promise<T>
  remove(): Promise<void>
}

/**
 * A store made as `opencentral init` makes it (commands other than start and init refuse a store
 * that does not exist).
 */
export async function createStore(dialect: Dialect): Promise<TestStore> {
  const data = tempDataDir()
  const database = dialect === 'postgres' ? await createTestDatabase() : null
  const made = await openStore(
    loadConfig({ overrides: { dataDir: data.dir, ...(database ? { databaseUrl: database.url } : {}) } }),
  )
  await made.close()
  return {
    flags: database ? ['--database', database.url, '--data', data.dir] : ['--data', data.dir],
    dataDir: data.dir,
    databaseUrl: database?.url,
    services: (work) => withServices({ data: data.dir, database: database?.url }, {}, quietOutput, async (services) => work(services)),
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
