// The load generator when wrk is not installed: autocannon with worker threads, in its own process
// (pinned to its own core by the caller). Takes the same environment as wrk-report.lua
// (BENCH_METHOD, BENCH_BODY, BENCH_CREDENTIAL, BENCH_CREDENTIALS_FILE, BENCH_PATHS_FILE) and prints
// the same `BENCH_RESULT {…}` line.
import autocannon from 'autocannon'
import path from 'node:path'

const [url, seconds, connections] = process.argv.slice(2) as [string, string, string]
const env = process.env
const rotating = Boolean(env.BENCH_CREDENTIALS_FILE || env.BENCH_PATHS_FILE)
const headers: Record<string, string> = {}
if (env.BENCH_CREDENTIAL) headers.authorization = env.BENCH_CREDENTIAL
if (env.BENCH_BODY) headers['content-type'] = 'application/json'
const started = performance.now()
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  workers: Number(env.BENCH_AUTOCANNON_WORKERS ?? 2),
  method: (env.BENCH_METHOD ?? 'GET') as 'GET',
  headers,
  ...(env.BENCH_BODY ? { body: env.BENCH_BODY } : {}),
  ...(rotating
    ? { requests: [{ setupRequest: path.join(import.meta.dirname, 'autocannon-paths.cjs') as never }] }
    : {}),
})
const total = result['2xx'] + result.non2xx
process.stdout.write(
  `BENCH_RESULT ${JSON.stringify({
    requests: total,
    durationUs: Math.round((result.duration ?? (performance.now() - started) / 1000) * 1e6),
    errors: result.errors + result.timeouts + result.non2xx,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  })}\n`,
)
