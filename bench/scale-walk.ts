// Pages through every device as a client would, in its own process (pinned to its own core by the
// caller): every page by following nextLink to the end, one request at a time, each timed; then
// the first page again FIRST_REPEATS times. Prints JSON.
const [firstUrl, credential] = process.argv.slice(2) as [string, string]
const FIRST_REPEATS = 100
const LAST_PAGES = 100

async function timedPage(url: string): Promise<{ ms: number; count: number; nextLink?: string }> {
  const started = performance.now()
  const response = await fetch(url, { headers: { authorization: credential } })
  const body = (await response.json()) as { value: unknown[]; nextLink?: string }
  const ms = performance.now() - started
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`)
  return { ms, count: body.value.length, ...(body.nextLink ? { nextLink: body.nextLink } : {}) }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

const walkStarted = performance.now()
const times: number[] = []
let devices = 0
let url: string | undefined = firstUrl
while (url) {
  const page = await timedPage(url)
  times.push(page.ms)
  devices += page.count
  url = page.nextLink
}
const walkSeconds = (performance.now() - walkStarted) / 1000
// Measured after the walk, so that both sides see a server whose code is as warm.
const firsts: number[] = []
for (let i = 0; i < FIRST_REPEATS; i++) firsts.push((await timedPage(firstUrl)).ms)
const round = (ms: number) => Number(ms.toFixed(2))
const tenth = Math.ceil(times.length / 10)
process.stdout.write(
  JSON.stringify({
    pages: times.length,
    devices,
    firstPageMs: round(median(firsts)),
    lastPagesMs: round(median(times.slice(-LAST_PAGES))),
    walkSeconds: round(walkSeconds),
    /** The median page of each tenth of the walk: where the time went, if anywhere. */
    tenthsMs: Array.from({ length: 10 }, (_, i) => round(median(times.slice(i * tenth, (i + 1) * tenth)))),
  }),
)
