// One autocannon run in its own process (pinned to its own core by the caller); prints JSON.
// The credential is a header value, or `@file`: one value a line, used in turn (the cold path).
// An optional fifth argument `@file` lists paths, one a line, requested in turn (random ids).
import autocannon, { type Request } from 'autocannon'
import { readFileSync } from 'node:fs'

const [url, credential, seconds, connections, pathsArgument] = process.argv.slice(2) as [string, string, string, string, string?]
const lines = (argument: string | undefined) =>
  argument?.startsWith('@') ? readFileSync(argument.slice(1), 'utf8').split('\n').filter(Boolean) : null
const pool = lines(credential)
const paths = lines(pathsArgument)
let next = 0
let nextPath = 0
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  headers: credential && !pool ? { authorization: credential } : {},
  ...(pool || paths
    ? {
        requests: [
          {
            setupRequest: (request: Request): Request => ({
              ...request,
              ...(paths ? { path: paths[nextPath++ % paths.length] as string } : {}),
              headers: pool ? { ...request.headers, authorization: pool[next++ % pool.length] as string } : request.headers,
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
