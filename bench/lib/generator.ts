import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { pinned, root } from './processes.js'

/** What one load run sends: a method and url, with a fixed credential or one from a file in turn. */
export interface LoadTarget {
  url: string
  method?: 'GET' | 'PUT'
  body?: string
  /** The Authorization header's value on every request. */
  credential?: string
  /** A file of Authorization values, one a line, used in turn (a new token each request). */
  credentialsFile?: string
  /** A file of paths, one a line, requested in turn instead of the url's. */
  pathsFile?: string
}

export interface LoadResult {
  requests: number
  errors: number
  requestsPerSecond: number
  /** Latency percentiles and maximum, in ms. */
  p50: number
  p90: number
  p99: number
  max: number
}

const WRK = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((file) => existsSync(file))

/**
 * wrk when it is installed (`apt-get install -y wrk`), else autocannon with worker threads;
 * BENCH_GENERATOR=autocannon forces the latter.
 */
export const GENERATOR: 'wrk' | 'autocannon' =
  WRK && process.env.BENCH_GENERATOR !== 'autocannon' ? 'wrk' : 'autocannon'

/** The generator's command line and environment for one run on core 1 (the servers run on core 0). */
function loadCommand(target: LoadTarget, seconds: number, connections: number) {
  const env = {
    ...process.env,
    BENCH_METHOD: target.method ?? 'GET',
    BENCH_BODY: target.body ?? '',
    BENCH_CREDENTIAL: target.credential ?? '',
    BENCH_CREDENTIALS_FILE: target.credentialsFile ?? '',
    BENCH_PATHS_FILE: target.pathsFile ?? '',
  }
  const command =
    GENERATOR === 'wrk'
      ? [WRK as string, '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', path.join(root, 'bench/load/wrk-report.lua'), target.url]
      : [process.execPath, '--import', 'tsx', 'bench/load/autocannon.ts', target.url, String(seconds), String(connections)]
  const [file, ...args] = pinned(1, command) as [string, ...string[]]
  return { file, args, options: { cwd: root, env, encoding: 'utf8' as const, maxBuffer: 16 << 20 } }
}

function parseResult(output: string): LoadResult {
  const line = output.split('\n').find((l) => l.startsWith('BENCH_RESULT '))
  if (!line) throw new Error(`${GENERATOR} printed no result:\n${output}`)
  const raw = JSON.parse(line.slice('BENCH_RESULT '.length)) as Omit<LoadResult, 'requestsPerSecond'> & { durationUs: number }
  return {
    requests: raw.requests,
    errors: raw.errors,
    requestsPerSecond: raw.requests / (raw.durationUs / 1e6),
    p50: raw.p50,
    p90: raw.p90,
    p99: raw.p99,
    max: raw.max,
  }
}

/** One load run in its own process on core 1 (the servers run on core 0). */
export function runLoad(target: LoadTarget, seconds: number, connections: number): LoadResult {
  const { file, args, options } = loadCommand(target, seconds, connections)
  return parseResult(execFileSync(file, args, options))
}

/** The same, without blocking: several generators may then run at once (one per node). */
export async function runLoadConcurrently(target: LoadTarget, seconds: number, connections: number): Promise<LoadResult> {
  const { file, args, options } = loadCommand(target, seconds, connections)
  const { stdout } = await promisify(execFile)(file, args, options)
  return parseResult(stdout)
}
