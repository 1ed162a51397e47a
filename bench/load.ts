// One autocannon run in its own process (pinned to its own core by the caller); prints JSON.
// The credential is a header value, or `@file`: one value a line, used in turn (the cold path).
import autocannon, { type Request } from 'autocannon'
import { readFileSync } from 'node:fs'

const [url, credential, seconds, connections] = process.argv.slice(2) as [string, string, string, string]
const pool = credential.startsWith('@') ? readFileSync(credential.slice(1), 'utf8').split('\n').filter(Boolean) : null
let next = 0
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  headers: credential && !pool ? { authorization: credential } : {},
  ...(pool
    ? {
        requests: [
          {
            setupRequest: (request: Request): Request => ({
              ...request,
              headers: { ...request.headers, authorization: pool[next++ % pool.length] as string },
            }),
          },
        ],
      }
    : {}),
})
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    errors: result.errors + result.non2xx,
  }),
)
