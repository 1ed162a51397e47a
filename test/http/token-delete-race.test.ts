import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ROLE_IDS } from '../../src/authz/builtin-roles.js'
import { startNodes, type Cluster } from '../helpers/cluster.js'
import { createTestDatabase, DIALECTS } from '../helpers/dialects.js'

/** Trials per engine; OPENCENTRAL_RACE_TRIALS raises it for a longer hunt. */
const TRIALS = Number(process.env.OPENCENTRAL_RACE_TRIALS ?? 60)

const me = async (url: string, authorization: string) => {
  const response = await fetch(`${url}/api/me?api-version=2022-07-31`, { headers: { authorization } })
  return { status: response.status, body: (await response.json()) as { roles?: unknown[] } }
}

/** Waits long enough for a NOTIFY to cross a loopback connection, several times over. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30))

for (const dialect of DIALECTS) {
  describe(`a token deleted while another node first meets it (${dialect})`, () => {
    let cluster: Cluster
    let database: Awaited<ReturnType<typeof createTestDatabase>> | null = null

    before(async () => {
      database = dialect === 'postgres' ? await createTestDatabase() : null
      cluster = await startNodes(2, database ? { databaseUrl: database.url } : {})
      await cluster.nodes[0]!.services.apiTokens.create(null, 'keeper', {
        roles: [{ role: ROLE_IDS.administrator }],
      })
    })
    after(async () => {
      await cluster?.close()
      await database?.drop()
    })

    it(`is never answered as a token without roles, nor kept, nor confused with its re-issue (${TRIALS} trials)`, async () => {
      const [a] = cluster.nodes
      const [, urlB] = cluster.urls as [string, string]
      const wrong: string[] = []
      for (let i = 0; i < TRIALS; i++) {
        const id = `racer-${i % 10}`
        const old = await a!.services.apiTokens.create(null, id, { roles: [{ role: ROLE_IDS.operator }] })
        // The first use on B races the delete on A: B sees the token whole (200 with its role) or
        // not at all (401), never a token without roles.
        // Three first uses at once widen the window the race needs.
        const [racing] = await Promise.all([
          Promise.all([me(urlB, old.token), me(urlB, old.token), me(urlB, old.token)]),
          a!.services.apiTokens.delete(null, id),
        ])
        for (const answer of racing) {
          const whole = answer.status === 200 && answer.body.roles?.length === 1
          if (!whole && answer.status !== 401) wrong.push(`trial ${i}: racing use answered ${answer.status} ${JSON.stringify(answer.body.roles)}`)
        }
        await settle()
        const afterDelete = await me(urlB, old.token)
        if (afterDelete.status !== 401) wrong.push(`trial ${i}: deleted token answered ${afterDelete.status} on B`)
        // Re-issued under the same id: the new value works on B, the old one still does not.
        const fresh = await a!.services.apiTokens.create(null, id, { roles: [{ role: ROLE_IDS.operator }] })
        const reissued = await me(urlB, fresh.token)
        if (reissued.status !== 200) wrong.push(`trial ${i}: re-issued token answered ${reissued.status} on B`)
        const stale = await me(urlB, old.token)
        if (stale.status !== 401) wrong.push(`trial ${i}: old value of a re-issued token answered ${stale.status} on B`)
        await a!.services.apiTokens.delete(null, id)
      }
      assert.deepEqual(wrong, [], `${wrong.length} wrong answers out of ${TRIALS} trials`)
    })
  })
}
