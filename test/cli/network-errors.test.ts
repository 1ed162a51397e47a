import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { expectExit } from '../helpers/cli-store.js'
import { freePort, runCli, tempDataDir } from '../helpers/cli.js'

describe('CLI: network errors say what failed', () => {
  const data = tempDataDir()
  after(() => data.remove())

  it('connection refused: names the address and asks whether the server runs there', async () => {
    const port = await freePort()
    const result = await runCli([
      'account', 'get-access-token', '--server', `http://127.0.0.1:${port}`,
      '--resource', 'https://apps.azureiotcentral.com', '--client-id', 'x', '--client-secret', 'y',
    ])
    expectExit(result, 1)
    assert.match(result.stderr, new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`))
    assert.match(result.stderr, /--server/)
    assert.doesNotMatch(result.stderr, /^opencentral: fetch failed$/m)
  })

  describe('a certificate the CLI does not trust', () => {
    let server: ReturnType<typeof createServer>
    let url: string
    before(async () => {
      expectExit(await runCli(['cert', 'create', '--data', data.dir]), 0)
      const tls = path.join(data.dir, 'tls')
      server = createServer({ cert: readFileSync(path.join(tls, 'server.pem')), key: readFileSync(path.join(tls, 'server-key.pem')) }, (_q, s) => s.end('{}'))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      url = `https://localhost:${(server.address() as AddressInfo).port}`
    })
    after(() => server?.close())

    it('says the certificate is not trusted and how to trust it', async () => {
      const result = await runCli(['login', '--server', url])
      expectExit(result, 1)
      assert.match(result.stderr, /certificate of https:\/\/localhost:\d+ is not trusted/)
      assert.match(result.stderr, /NODE_EXTRA_CA_CERTS=.*ca\.pem/)
    })
  })
})
