import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { after, before, describe, it } from 'node:test'
import { ROLE_IDS } from '../../src/authz/builtin-roles.js'
import { initializeApplication } from '../../src/services/application.service.js'
import { openStore } from '../../src/storage/open-store.js'
import { startNodes, type Cluster } from '../helpers/cluster.js'
import {
  privatePostgresUnavailable,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../helpers/private-postgres.js'

const API = 'api-version=2022-07-31'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Answer {
  node: number
  sent: number
  status: number
  retryAfter: string | null
  at: number
}

/** Numbers the tokens the load creates, across runs: a token id is created once. */
let tokensMade = 0

/** Keeps reads and writes in flight on every node until stopped; records every answer. */
function load(cluster: Cluster, token: string) {
  const answers: Answer[] = []
  let running = true
  let n = 0
  const worker = async (node: number) => {
    const url = cluster.urls[node]!
    while (running) {
      const write = n++ % 2 === 0
      const sent = Date.now()
      const target = write
        ? `${url}/api/apiTokens/load-${node}-${++tokensMade}?${API}`
        : `${url}/api/devices?${API}`
      try {
        const response = await fetch(target, {
          method: write ? 'PUT' : 'GET',
          headers: { authorization: token, 'content-type': 'application/json' },
          body: write ? JSON.stringify({ roles: [{ role: ROLE_IDS.operator }] }) : undefined,
        })
        await response.arrayBuffer()
        answers.push({ node, sent, status: response.status, retryAfter: response.headers.get('retry-after'), at: Date.now() })
      } catch (error) {
        // A node that died answers nothing: recorded as status 0.
        answers.push({ node, sent, status: 0, retryAfter: null, at: Date.now() })
        await sleep(20)
      }
    }
  }
  const workers = cluster.urls.flatMap((_, node) => [worker(node), worker(node)])
  return {
    answers,
    async stop() {
      running = false
      await Promise.all(workers)
    },
  }
}

/** Every answer is a success or a 503 with Retry-After: never a 500, never silence. */
function wrongAnswers(answers: Answer[]): string[] {
  return answers
    .filter((a) => !(a.status >= 200 && a.status < 300) && !(a.status === 503 && a.retryAfter))
    .map((a) => `node ${a.node}: ${a.status}`)
}

const unavailable = privatePostgresUnavailable()

describe('three nodes while PostgreSQL stops and starts', { skip: unavailable ?? false }, () => {
  let server: PrivatePostgres
  let cluster: Cluster
  let token: string

  before(async () => {
    server = await startPrivatePostgres()
    await server.query('CREATE DATABASE opencentral')
    cluster = await startNodes(3, { databaseUrl: server.url('opencentral') })
    token = (
      await cluster.nodes[0]!.services.apiTokens.create(null, 'loader', {
        roles: [{ role: ROLE_IDS.administrator }],
      })
    ).token
  })
  after(async () => {
    await cluster?.close()
    server?.destroy()
  })

  it('opened together on an empty database, three stores migrate once and agree on one application', async () => {
    await server.query('CREATE DATABASE together')
    const databaseUrl = server.url('together')
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ databaseUrl, dataDir: tmpdir() })))
    try {
      const ids = await Promise.all(stores.map((store) => initializeApplication(store, Date.now())))
      assert.equal(new Set(ids).size, 1, `application ids: ${ids.join(', ')}`)
      assert.equal((await server.query('SELECT id FROM application', [], 'together')).length, 1)
    } finally {
      await Promise.all(stores.map((store) => store.close()))
    }
  })

  for (const mode of ['fast', 'immediate'] as const) {
    it(`survives pg_ctl stop -m ${mode} with writes in flight: 503 meanwhile, 2xx within 10 s of the restart`, async () => {
      const traffic = load(cluster, token)
      await sleep(500)
      await server.stop(mode)
      const stoppedAt = Date.now()
      await sleep(3000)
      const startingAt = Date.now()
      await server.start()
      const startedAt = Date.now()
      // Each node must answer a success again within 10 s of the restart.
      const recovered = new Map<number, number>()
      while (recovered.size < cluster.urls.length && Date.now() - startedAt < 12_000) {
        for (const a of traffic.answers) {
          if (a.at > startedAt && a.status >= 200 && a.status < 300 && !recovered.has(a.node)) {
            recovered.set(a.node, a.at - startedAt)
          }
        }
        await sleep(50)
      }
      await sleep(500)
      await traffic.stop()
      const during = traffic.answers.filter((a) => a.sent > stoppedAt && a.at < startingAt)
      assert.ok(during.length > 0, 'requests were answered during the outage')
      assert.ok(during.every((a) => a.status === 503), `during the outage: ${[...new Set(during.map((a) => a.status))].join(', ')}`)
      assert.deepEqual(wrongAnswers(traffic.answers), [])
      assert.equal(recovered.size, cluster.urls.length, `recovered: ${JSON.stringify([...recovered])}`)
      for (const ms of recovered.values()) assert.ok(ms <= 10_000, `recovered after ${ms} ms`)
      console.log(`stop -m ${mode}: ${traffic.answers.length} answers, ${during.length} during the outage; 2xx again after ${JSON.stringify(Object.fromEntries(recovered))} ms`)
    })
  }
})
