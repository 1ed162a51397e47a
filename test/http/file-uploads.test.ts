import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { must, seedHierarchy } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type ApiResponse, type TestServer } from '../helpers/server.js'

const KEY = randomBytes(64).toString('base64')
const OTHER_KEY = randomBytes(64).toString('base64')
const SIG = randomBytes(32).toString('base64url')
const SAS = `sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2027-01-01T00:00:00Z&sig=${SIG}`
const WITH_KEY = `DefaultEndpointsProtocol=https;AccountName=myaccountname;AccountKey=${KEY};EndpointSuffix=core.windows.net`
const MASKED = 'DefaultEndpointsProtocol=https;AccountName=myaccountname;AccountKey=*****;EndpointSuffix=core.windows.net'
const SECRETS = [KEY, OTHER_KEY, SIG, 'notbase64!!', 'c2hvcnQ=']

for (const dialect of DIALECTS) {
  describe(`file uploads (${dialect})`, () => {
    let server: TestServer
    let operator: string
    let builder: string
    let orgAdmin: string
    let readOnly: string
    /** Every answer, to prove no secret was ever in one. */
    const answers: string[] = []

    const call = async (method: string, body?: unknown, options: { auth?: string | null; headers?: Record<string, string> } = {}) => {
      const response = await server.request(method, '/api/fileUploads', {
        ...(body !== undefined ? { body } : {}),
        ...options,
      })
      answers.push(response.text)
      return response
    }
    const stored = async () => (await call('GET')).body
    const expectUnchanged = async (before: unknown) => assert.deepEqual(await stored(), before)
    const expectNone = async () => expectError(await call('GET'), 404, 'NotFound')

    before(async () => {
      // Debug level: every request is logged too, so the search for secrets below covers more.
      server = await startServer(dialect, { config: { logLevel: 'debug' } })
      await seedHierarchy(server)
      operator = await server.createToken('operator', [ROLE_IDS.operator])
      builder = await server.createToken('builder', [ROLE_IDS.builder])
      orgAdmin = await server.createScopedToken('org-admin', [{ role: ROLE_IDS.orgAdmin, organization: 'us' }])
      await must(server, 'PUT', '/api/roles/upload-reader', {
        displayName: 'Upload reader',
        type: 'application',
        permissions: ['fileUpload.read'],
      })
      readOnly = await server.createToken('upload-reader', ['upload-reader'])
    })
    after(async () => server?.close())

    it('answers 404 while nothing is configured, on GET, PATCH and DELETE', async () => {
      await expectNone()
      expectError(await call('PATCH', { container: 'files' }), 404, 'NotFound')
      expectError(await call('DELETE'), 404, 'NotFound')
      assert.equal(await server.app.services.fileUploads.uploadTarget(), null)
      await expectNone()
    })

    it('exists from api-version 1.1-preview', async () => {
      const old = await server.request('GET', '/api/fileUploads', { query: { 'api-version': '1.0' } })
      expectError(old, 404, 'NotFound', /does not exist in api-version 1\.0/)
      answers.push(old.text)
      const preview = await server.request('GET', '/api/fileUploads', { query: { 'api-version': '1.1-preview' } })
      expectError(preview, 404, 'NotFound', 'The file upload configuration was not found.')
    })

    it('answers 401 without a credential and 403 without the permission (application-wide), changing nothing', async () => {
      const writes: [string, unknown?][] = [
        ['PUT', { connectionString: WITH_KEY, container: 'files' }],
        ['PATCH', { container: 'files' }],
        ['DELETE'],
      ]
      for (const [method, body] of [['GET'] as [string], ...writes]) {
        expectError(await call(method, body, { auth: null }), 401, 'Unauthenticated')
        for (const auth of [operator, builder, orgAdmin]) {
          expectError(await call(method, body, { auth }), 403, 'Forbidden', /fileUpload\.(read|manage)/)
        }
      }
      for (const [method, body] of writes) {
        expectError(await call(method, body, { auth: readOnly }), 403, 'Forbidden', /fileUpload\.manage/)
      }
      await expectNone()
    })

    it("sets the configuration as in IoT Central's example: pending on write, succeeded on read, the key masked", async () => {
      const body = { account: 'contoso-account', connectionString: WITH_KEY, container: 'container', sasTtl: 'PT1H' }
      const created = await call('PUT', body)
      assert.equal(created.status, 200, created.text)
      assert.deepEqual(created.body, {
        account: 'contoso-account',
        connectionString: MASKED,
        container: 'container',
        sasTtl: 'PT1H',
        state: 'pending',
        etag: created.body.etag,
      })
      assert.equal(typeof created.body.etag, 'string')
      const read = await call('GET', undefined, { auth: readOnly })
      assert.equal(read.status, 200, read.text)
      assert.deepEqual(read.body, { ...created.body, state: 'succeeded' })
      const target = await server.app.services.fileUploads.uploadTarget()
      assert.deepEqual(target, {
        account: 'contoso-account',
        connectionString: WITH_KEY,
        accountName: 'myaccountname',
        accountKey: KEY,
        blobEndpoint: 'https://myaccountname.blob.core.windows.net',
        container: 'container',
        sasTtlSeconds: 3600,
      })
      const [row] = await server.app.store.db.selectFrom('file_uploads').selectAll().execute()
      assert.match(row?.connection_string ?? '', /^v1\./, 'stored sealed')
      assert.ok(!JSON.stringify(row).includes(KEY))
    })

    it('keeps the stored key when the masked connection string is sent back (PATCH, PUT)', async () => {
      const patched = await call('PATCH', { account: 'contoso-account', connectionString: MASKED, container: 'container2', sasTtl: 'PT2H' })
      assert.equal(patched.status, 200, patched.text)
      assert.deepEqual(
        [patched.body.connectionString, patched.body.container, patched.body.sasTtl, patched.body.state],
        [MASKED, 'container2', 'PT2H', 'pending'],
      )
      assert.equal((await server.app.services.fileUploads.uploadTarget())?.accountKey, KEY)
      const replaced = await call('PUT', { connectionString: MASKED, container: 'container3' })
      assert.equal(replaced.status, 200, replaced.text)
      // Left out on PUT: the account shows the storage account's name, the TTL its default.
      assert.equal(replaced.body.account, 'myaccountname')
      assert.equal(replaced.body.sasTtl, 'PT1H')
      const target = await server.app.services.fileUploads.uploadTarget()
      assert.equal(target?.accountKey, KEY)
      assert.equal(target?.account, 'myaccountname')
    })

    it('merges a patch: null resets account and sasTtl, a new key replaces the stored one', async () => {
      await call('PATCH', { account: 'shown', sasTtl: 'P1D' })
      const reset = await call('PATCH', { account: null, sasTtl: null })
      assert.equal(reset.status, 200, reset.text)
      assert.equal(reset.body.account, 'myaccountname')
      assert.equal(reset.body.sasTtl, 'PT1H')
      const rekeyed = await call('PATCH', { connectionString: WITH_KEY.replace(KEY, OTHER_KEY) })
      assert.equal(rekeyed.status, 200, rekeyed.text)
      assert.equal(rekeyed.body.connectionString, MASKED)
      assert.equal((await server.app.services.fileUploads.uploadTarget())?.accountKey, OTHER_KEY)
      await call('PATCH', { connectionString: WITH_KEY })
    })

    it('accepts a shared access signature and explicit endpoints, and masks the signature', async () => {
      const before = await stored()
      const withSas = `BlobEndpoint=https://files.example.com/;SharedAccessSignature=${SAS}`
      const response = await call('PATCH', { connectionString: withSas })
      assert.equal(response.status, 200, response.text)
      assert.equal(response.body.connectionString, 'BlobEndpoint=https://files.example.com/;SharedAccessSignature=*****')
      assert.equal(response.body.account, undefined, 'no account name, none given')
      const target = await server.app.services.fileUploads.uploadTarget()
      assert.equal(target?.sharedAccessSignature, SAS)
      assert.equal(target?.blobEndpoint, 'https://files.example.com')
      assert.equal(target?.accountKey, undefined)
      // The mask stands only for a stored secret of the same account: here there is no key to keep.
      expectError(await call('PATCH', { connectionString: MASKED }), 422, 'UnprocessableEntity', /^connectionString: the AccountKey is masked/)
      const back = await call('PUT', { connectionString: WITH_KEY, container: before.container })
      assert.equal(back.status, 200, back.text)
    })

    it('refuses bad input with 422 naming the member, changing nothing and echoing no secret', async () => {
      const before = await stored()
      const base = { connectionString: WITH_KEY, container: 'files' }
      const cases: [string, unknown, RegExp][] = [
        ['PUT', { container: 'files' }, /^connectionString: is required\.$/],
        ['PUT', { connectionString: WITH_KEY }, /^container: is required\.$/],
        ['PUT', { ...base, connectionString: 'garbage' }, /^connectionString: is not a list of key=value pairs/],
        ['PUT', { ...base, connectionString: `${WITH_KEY};Color=blue` }, /^connectionString: 'Color' is not a known/],
        ['PUT', { ...base, connectionString: `${WITH_KEY};accountname=other` }, /^connectionString: 'AccountName' is given twice\.$/],
        ['PUT', { ...base, connectionString: 'UseDevelopmentStorage=true' }, /UseDevelopmentStorage is not supported/],
        ['PUT', { ...base, connectionString: 'AccountName=myaccountname;EndpointSuffix=core.windows.net' }, /needs AccountName and AccountKey, or a SharedAccessSignature/],
        ['PUT', { ...base, connectionString: `${WITH_KEY};SharedAccessSignature=${SAS}` }, /either AccountKey or SharedAccessSignature, not both/],
        ['PUT', { ...base, connectionString: WITH_KEY.replace(KEY, 'notbase64!!') }, /^connectionString: AccountKey is not a base64 storage account key\.$/],
        ['PUT', { ...base, connectionString: WITH_KEY.replace(KEY, 'c2hvcnQ=') }, /AccountKey is not a base64/],
        ['PUT', { ...base, connectionString: WITH_KEY.replace('myaccountname', 'My-Account') }, /AccountName must be 3-24 letters and digits/],
        ['PUT', { ...base, connectionString: `AccountKey=${KEY}` }, /AccountKey needs AccountName/],
        ['PUT', { ...base, connectionString: WITH_KEY.replace('https', 'ftp') }, /DefaultEndpointsProtocol must be/],
        ['PUT', { ...base, connectionString: `${WITH_KEY};BlobEndpoint=ftp://x` }, /BlobEndpoint must be an http or https URL/],
        ['PUT', { ...base, connectionString: WITH_KEY.replace('core.windows.net', 'bad suffix') }, /EndpointSuffix is not a DNS suffix/],
        ['PUT', { ...base, connectionString: `SharedAccessSignature=sv=1&sp=r` }, /needs sv and sig/],
        ['PUT', { ...base, container: 'Files' }, /^container: may hold only lowercase letters, digits and hyphens\.$/],
        ['PUT', { ...base, container: 'ab' }, /^container: must be 3-63 characters long\.$/],
        ['PUT', { ...base, container: 'a--b' }, /^container: must not hold two hyphens in a row\.$/],
        ['PUT', { ...base, container: '-abc' }, /^container: must start and end with a letter or digit\.$/],
        ['PUT', { ...base, container: 'x'.repeat(64) }, /^container: /],
        ['PUT', { ...base, sasTtl: '1 hour' }, /^sasTtl: is not an ISO 8601 duration/],
        ['PUT', { ...base, sasTtl: 'PT30S' }, /^sasTtl: must be between PT1M and P30D\.$/],
        ['PUT', { ...base, sasTtl: 'P31D' }, /^sasTtl: must be between/],
        ['PUT', { ...base, other: 1 }, /^other: is not a known member\.$/],
        ['PATCH', { connectionString: null }, /^connectionString: is required and cannot be removed\.$/],
        ['PATCH', { container: null }, /^container: is required and cannot be removed\.$/],
        ['PATCH', { container: 'UPPER' }, /^container: /],
        ['PATCH', { connectionString: MASKED.replace('myaccountname', 'otheraccount') }, /AccountKey is masked/],
      ]
      for (const [method, body, message] of cases) {
        expectError(await call(method, body), 422, 'UnprocessableEntity', message)
      }
      expectError(
        await server.request('PUT', '/api/fileUploads', { rawBody: `{"connectionString":"${WITH_KEY}",` }),
        400,
        'BadRequest',
      )
      await expectUnchanged(before)
    })

    it('writes only with the current etag (body or If-Match); state is read-only and ignored', async () => {
      const before = await stored()
      expectError(await call('PATCH', { etag: 'stale', container: 'other' }), 412, 'PreconditionFailed')
      expectError(await call('PUT', { connectionString: MASKED, container: 'other' }, { headers: { 'if-match': '"stale"' } }), 412, 'PreconditionFailed')
      expectError(await call('DELETE', undefined, { headers: { 'if-match': 'stale' } }), 412, 'PreconditionFailed')
      await expectUnchanged(before)
      const ok: ApiResponse = await call('PATCH', { etag: before.etag, state: 'failed', container: 'other' })
      assert.equal(ok.status, 200, ok.text)
      assert.equal(ok.body.state, 'pending')
      assert.notEqual(ok.body.etag, before.etag)
      assert.equal((await stored()).state, 'succeeded')
    })

    it('removes the configuration with DELETE (204), after which it is 404 again', async () => {
      const deleted = await call('DELETE')
      assert.equal(deleted.status, 204, deleted.text)
      assert.equal(deleted.text, '')
      await expectNone()
      expectError(await call('DELETE'), 404, 'NotFound')
      assert.equal(await server.app.services.fileUploads.uploadTarget(), null)
      // Nothing stored: a masked key has nothing to stand for.
      expectError(await call('PUT', { connectionString: MASKED, container: 'files' }), 422, 'UnprocessableEntity', /masked/)
      await expectNone()
    })

    it('never answered, logged or stored in the clear a key, a signature or a refused key', async () => {
      const rows = await server.app.store.db.selectFrom('file_uploads').selectAll().execute()
      assert.ok(server.logs.length > 20, 'the server logged the requests')
      assert.ok(answers.length > 50, 'the answers were kept')
      const everything = [...answers, ...server.logs, JSON.stringify(rows)].join('\n')
      for (const secret of SECRETS) assert.ok(!everything.includes(secret), 'a secret leaked')
    })
  })
}
