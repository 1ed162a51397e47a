import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'

/**
 * A PostgreSQL server of the test's own (initdb into a temporary folder, on a free port), which the
 * test may stop, restart or freeze without disturbing the shared server other tests use. It runs
 * as the `postgres` system user, as PostgreSQL refuses to run as root.
 */
export interface PrivatePostgres {
  /** A connection string to `database` (default `postgres`). */
  url(database?: string): string
  /** Stops the server (`fast`: ends sessions cleanly; `immediate`: as a crash would). */
  stop(mode: 'fast' | 'immediate'): void
  start(): void
  /** Runs one statement as the superuser. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir()
  if (!bin) throw new Error('no PostgreSQL server programs')
  const root = mkdtempSync(path.join(tmpdir(), 'opencentral-pg-'))
  const { uid, gid } = (() => {
    const line = execFileSync('id', ['-u', 'postgres']).toString().trim()
    const group = execFileSync('id', ['-g', 'postgres']).toString().trim()
    return { uid: Number(line), gid: Number(group) }
  })()
  chownSync(root, uid, gid)
  const data = path.join(root, 'data')
  const port = await freePort()
  const asPostgres = (program: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
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
  start()
  let running = true
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`
  return {
    url,
    start() {
      start()
      running = true
    },
    stop(mode) {
      stop(mode)
      running = false
    },
    async query(text, values = []) {
      const client = new pg.Client({ connectionString: url() })
      await client.connect()
      try {
        return (await client.query(text, values)).rows
      } finally {
        await client.end()
      }
    },
    destroy() {
      if (running) stop('immediate')
      running = false
      rmSync(root, { recursive: true, force: true })
    },
  }
}
