import { execFile, execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { freePort } from './server.js'

const run = promisify(execFile)

/**
 * A PostgreSQL server of the test's own (initdb into a temporary folder, on a free port), which the
 * test may stop, restart or freeze without disturbing the shared server other tests use. It runs
 * as the `postgres` system user, as PostgreSQL refuses to run as root.
 */
export interface PrivatePostgres {
  /** A connection string to `database` (default `postgres`). */
  url(database?: string): string
  /** Stops the server (`fast`: ends sessions cleanly; `immediate`: as a crash would). */
  stop(mode: 'fast' | 'immediate'): Promise<void>
  start(): Promise<void>
  /** Runs one statement as the superuser, on `database` (default `postgres`). */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
    database?: string,
  ): Promise<T[]>
  /** Stops the server and removes its files. */
  destroy(): void
}

/** Where PostgreSQL's server programs are, or null when this machine has none. */
function binDir(): string | null {
  const candidates = process.env.TEST_POSTGRES_BIN
    ? [process.env.TEST_POSTGRES_BIN]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : []
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb'))) ?? null
}

/** Why a private server cannot be had here (then the tests needing one are skipped), or null. */
export function privatePostgresUnavailable(): string | null {
  if (!binDir()) return 'no PostgreSQL server programs (initdb) on this machine'
  if (process.getuid?.() !== 0) return 'a private PostgreSQL server is run as the postgres user, which needs root'
  return null
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir()
  if (!bin) throw new Error('no PostgreSQL server programs')
  const root = mkdtempSync(path.join(tmpdir(), 'opencentral-pg-'))
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString())
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString())
  chownSync(root, uid, gid)
  const data = path.join(root, 'data')
  const port = await freePort()
  // Asynchronous, so that the servers under test (in this process) keep running meanwhile.
  const asPostgres = async (program: string, args: string[]) => {
    await run('runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args])
  }
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ')
  const start = () =>
    asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', path.join(root, 'log'), '-w', 'start'])
  const stop = (mode: 'fast' | 'immediate') =>
    asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop'])
  await start()
  let running = true
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`
  return {
    url,
    async start() {
      await start()
      running = true
    },
    async stop(mode) {
      await stop(mode)
      running = false
    },
    async query(text, values = [], database) {
      const client = new pg.Client({ connectionString: url(database) })
      await client.connect()
      try {
        return (await client.query(text, values)).rows
      } finally {
        await client.end()
      }
    },
    destroy() {
      if (running) {
        execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'])
      }
      running = false
      rmSync(root, { recursive: true, force: true })
    },
  }
}
