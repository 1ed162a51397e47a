// Micro-benchmarks of the authentication hot path, in-process, with tinybench.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { jwtVerify } from 'jose'
import { Bench } from 'tinybench'
import { ApiTokenAuthenticator } from '../src/auth/api-token-authenticator.js'
import { parseApiTokenParameters } from '../src/auth/api-token-format.js'
import { LocalIssuerKeys } from '../src/auth/bearer/issuer-keys.js'
import type { IssuerTrust } from '../src/auth/bearer/issuer-trust.js'
import { TokenVerifier } from '../src/auth/bearer/token-verifier.js'
import { ROLE_IDS } from '../src/authz/builtin-roles.js'
import { systemClock } from '../src/clock.js'
import { loadConfig } from '../src/config/load.js'
import { createServices } from '../src/services/index.js'
import { openStore } from '../src/storage/open-store.js'
import { TestIssuer } from '../test/helpers/issuer.js'

export interface MicroResult {
  name: string
  opsPerSecond: number
  meanMicroseconds: number
  /** Less moved by a busy machine than the mean. */
  medianMicroseconds: number
}

export async function runMicro(): Promise<MicroResult[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-micro-'))
  const config = loadConfig({ overrides: { dataDir } })
  const store = await openStore(config)
  const issuer = await TestIssuer.start()
  try {
    const services = await createServices(store, config, systemClock)
    const created = await services.apiTokens.create(null, 'micro', { roles: [{ role: ROLE_IDS.operator }] })
    const parameters = created.token.slice('SharedAccessSignature '.length)
    const apiTokens = new ApiTokenAuthenticator(store, services.applicationId, services.roles.permissionsOf, systemClock, 10_000)
    const trust: IssuerTrust = {
      issuer: issuer.generic,
      audiences: ['https://apps.azureiotcentral.com'],
      algorithms: ['RS256'],
      clockToleranceSeconds: 60,
      trustEmail: false,
      defaultTenant: issuer.tenantId,
      keyRefetchCooldownSeconds: 30,
    }
    // One key set object, as the server holds it: a new one would be imported again on every call.
    const jwks = { keys: [issuer.currentKey.publicJwk] }
    const keys = new LocalIssuerKeys(async () => jwks)
    const cached = new TokenVerifier([{ trust, keys }], systemClock, 10_000)
    const uncached = new TokenVerifier([{ trust, keys }], systemClock, 0)
    const token = await issuer.sign({ tid: issuer.tenantId, oid: randomUUID(), idtyp: 'app' })

    const bench = new Bench({ time: 1500, warmupTime: 300 })
    bench
      .add('parse an API token', () => {
        parseApiTokenParameters(parameters)
      })
      .add('authenticate an API token (parse + verify secret, cached)', async () => {
        await apiTokens.authenticate(parameters)
      })
      .add('verify a bearer token (cached)', async () => {
        await cached.verify(token)
      })
      .add('verify a bearer token (uncached: RS256 signature)', async () => {
        await uncached.verify(token)
      })
      // What the uncached path cost before: jose verifies with WebCrypto, a thread-pool job per signature.
      .add('for comparison: jose jwtVerify of the same token (WebCrypto)', async () => {
        await jwtVerify(token, keys.getKey, {
          issuer: trust.issuer,
          audience: [...trust.audiences],
          algorithms: [...trust.algorithms],
          requiredClaims: ['exp'],
        })
      })
    await bench.run()
    return bench.tasks.map((task) => {
      const result = task.result as { throughput?: { mean: number }; latency?: { mean: number; p50?: number } }
      return {
        name: task.name,
        opsPerSecond: Math.round(result.throughput?.mean ?? 0),
        meanMicroseconds: Number(((result.latency?.mean ?? 0) * 1000).toFixed(2)),
        medianMicroseconds: Number(((result.latency?.p50 ?? 0) * 1000).toFixed(2)),
      }
    })
  } finally {
    await issuer.close()
    await store.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (process.argv[1] === import.meta.filename) {
  for (const r of await runMicro()) console.log(`${r.name}: ${r.opsPerSecond} ops/s, mean ${r.meanMicroseconds} µs, median ${r.medianMicroseconds} µs`)
}
