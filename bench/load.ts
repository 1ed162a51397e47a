// One autocannon run in its own process (pinned to its own core by the caller); prints JSON.
import autocannon from 'autocannon'

const [url, authorization, seconds, connections] = process.argv.slice(2) as [string, string, string, string]
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  headers: authorization ? { authorization } : {},
})
const ok = result['2xx']
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    errors: result.errors + result.non2xx,
  }),
)
