import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AccountService } from '../../src/idp/accounts.js'
import { SETUP_CODE_TTL_MS } from '../../src/setup/setup-codes.js'
import { DIALECTS } from '../helpers/dialects.js'
import { ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const post = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })

for (const dialect of DIALECTS) {
  describe(`first-run setup link (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect)
    })
    after(async () => server?.close())

    it('expires after an hour', async () => {
      const link = (await server.app.setup!.link())!
      assert.equal((await fetch(link)).status, 200)
      server.clock.advance(SETUP_CODE_TTL_MS + 1)
      assert.equal((await fetch(link)).status, 404)
      const late = await post(link, { email: 'late@example.com', password: 'long enough pw' })
      assert.equal(late.status, 404)
    })

    it('refuses a form from another site', async () => {
      const link = (await server.app.setup!.link())!
      const response = await fetch(link, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://elsewhere.example',
        },
        body: 'email=eve%40example.com&password=long+enough+pw',
      })
      assert.equal(response.status, 403)
    })

    it('keeps working after a refused password, then makes one Administrator and closes', async () => {
      const link = (await server.app.setup!.link())!
      const short = await post(link, { email: 'ada@example.com', password: 'short' })
      assert.equal(short.status, 422)
      assert.match(await short.text(), /at least/)

      const done = await post(link, { email: 'ada@example.com', password: 'long enough pw' })
      assert.equal(done.status, 200)
      const accounts = new AccountService(server.app.store, server.clock.read)
      assert.ok(await accounts.authenticate('ada@example.com', 'long enough pw'))
      const users = (await server.request('GET', '/api/users')).body.value as {
        email?: string
        roles: unknown
      }[]
      assert.deepEqual(
        users.map((user) => [user.email, user.roles]),
        [['ada@example.com', [{ role: ROLE_IDS.administrator }]]],
      )

      const again = await post(link, { email: 'eve@example.com', password: 'long enough pw' })
      assert.equal(again.status, 404)
      assert.equal(await server.app.setup!.link(), null)
    })
  })
}
