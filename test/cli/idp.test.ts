import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto'
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose'
import { loadConfig } from '../../src/config/load.js'
import { AccountService } from '../../src/idp/accounts.js'
import { openStore } from '../../src/storage/open-store.js'
import { Browser, signInWithDeviceCode } from '../helpers/browser.js'
import { createClientCertificate } from '../helpers/client-certificate.js'
import {
  BIN,
  cleanEnv,
  ROOT,
  runCli,
  startCliServer,
  tempDataDir,
  type CliResult,
  type RunningServer,
} from '../helpers/cli.js'
import { createTestDatabase, DIALECTS } from '../helpers/dialects.js'

const RESOURCE = 'https://apps.azureiotcentral.com'

function expectExit(result: CliResult, code: number): void {
  assert.equal(
    result.code,
    code,
    `exit ${result.code}, expected ${code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
  )
}

for (const dialect of DIALECTS) {
  describe(`CLI: embedded identity provider (${dialect})`, () => {
    let storeFlags: string[]
    let dataDir: { dir: string; remove(): void }
    let databaseUrl: string | undefined
    let dropDatabase: (() => Promise<void>) | undefined
    let server: RunningServer
    let home: string

    const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
      runCli([...args, ...(args[0] === 'idp' ? storeFlags : [])], {
        ...options,
        env: { OPENCENTRAL_HOME: home, ...options.env },
      })
    /** `account get-access-token` against the running server, with these extra flags. */
    const getToken = (...extra: string[]) =>
      cli(['account', 'get-access-token', '--server', server.url, '--resource', RESOURCE, ...extra])
    const appToken = (appId: string, secret: string) =>
      getToken('--client-id', appId, '--client-secret', secret)
    const verify = (token: string) =>
      jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/oidc/jwks`)), {
        issuer: `${server.url}/oidc`,
        audience: RESOURCE,
        algorithms: ['RS256'],
      })
    const withAccounts = async <T>(work: (accounts: AccountService) => Promise<T>): Promise<T> => {
      const store = await openStore(
        loadConfig({
          overrides: { dataDir: dataDir.dir, ...(databaseUrl ? { databaseUrl } : {}) },
        }),
      )
      try {
        return await work(new AccountService(store, Date.now))
      } finally {
        await store.close()
      }
    }

    before(async () => {
      dataDir = tempDataDir()
      home = mkdtempSync(path.join(tmpdir(), 'opencentral-home-'))
      if (dialect === 'postgres') {
        const database = await createTestDatabase()
        databaseUrl = database.url
        dropDatabase = database.drop
      }
      storeFlags = databaseUrl
        ? ['--database', databaseUrl, '--data', dataDir.dir]
        : ['--data', dataDir.dir]
      server = await startCliServer(storeFlags)
    })
    after(async () => {
      server?.child.kill('SIGTERM')
      await server?.exited
      await dropDatabase?.()
      dataDir?.remove()
      rmSync(home, { recursive: true, force: true })
    })

    it('prints a one-time setup link at first start, closed once idp user add and user add make an Administrator', async () => {
      const link = /(http:\/\/\S+\/setup\/\S+)/.exec(server.stdout())?.[1]
      assert.ok(link, `a setup link on stdout:\n${server.stdout()}`)
      assert.equal((await fetch(link)).status, 200)

      expectExit(
        await cli(['idp', 'user', 'add', 'root@example.com', '--password', 'root password']),
        0,
      )
      expectExit(await cli(['user', 'add', 'root', '--email', 'root@example.com']), 2)
      const added = await cli([
        'user',
        'add',
        'root',
        '--email',
        'root@example.com',
        '--role',
        'Administrator',
        '--json',
        ...storeFlags,
      ])
      expectExit(added, 0)
      const user = JSON.parse(added.stdout) as { type: string; email: string; roles: unknown[] }
      assert.equal(user.type, 'email')
      assert.equal(user.roles.length, 1)
      assert.equal(
        (await fetch(link)).status,
        404,
        'the link closes once an Administrator can sign in',
      )
      // The people test below lists the accounts it adds, and only those.
      expectExit(await cli(['idp', 'user', 'delete', 'root@example.com']), 0)
    })

    it('creates, lists and deletes service principals; their tokens come from account get-access-token', async () => {
      const created = await cli(['idp', 'sp', 'create', 'build-bot', '--json'])
      expectExit(created, 0)
      const bot = JSON.parse(created.stdout) as Record<string, string>
      assert.deepEqual(Object.keys(bot).sort(), [
        'appId',
        'displayName',
        'objectId',
        'password',
        'tenant',
      ])

      const human = await cli(['idp', 'sp', 'create', 'deploy-bot'])
      expectExit(human, 0)
      assert.match(
        human.stdout,
        /^appId: +[0-9a-f-]{36}\npassword: +ocsk_\S+\ntenant: +[0-9a-f-]{36}\nobjectId: +[0-9a-f-]{36}\n$/,
      )
      assert.match(human.stderr, /shown only once/)
      expectExit(await cli(['idp', 'sp', 'create', 'BUILD-BOT']), 1)

      const listed = await cli(['idp', 'sp', 'list', '--json'])
      expectExit(listed, 0)
      assert.deepEqual(
        (JSON.parse(listed.stdout) as Record<string, string>[]).map((p) => [
          p.displayName,
          Object.keys(p).sort(),
        ]),
        [
          ['build-bot', ['appId', 'createdAt', 'displayName', 'objectId']],
          ['deploy-bot', ['appId', 'createdAt', 'displayName', 'objectId']],
        ],
      )
      const table = await cli(['idp', 'sp', 'list'])
      assert.ok(!table.stdout.includes(bot.password!), 'no password in the list')

      const asked = await appToken(bot.appId!, bot.password!)
      expectExit(asked, 0)
      const answer = JSON.parse(asked.stdout) as Record<string, unknown>
      assert.deepEqual(Object.keys(answer), [
        'accessToken',
        'expiresOn',
        'expires_on',
        'tenant',
        'tokenType',
      ])
      assert.equal(answer.tokenType, 'Bearer')
      assert.equal(answer.tenant, bot.tenant)
      assert.match(String(answer.expiresOn), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/)
      const { payload } = await verify(String(answer.accessToken))
      assert.equal(payload.oid, bot.objectId)
      assert.equal(payload.exp, answer.expires_on)

      const wrong = await appToken(bot.appId!, 'not-the-secret')
      expectExit(wrong, 1)
      assert.match(wrong.stderr, /invalid_client/)
      assert.ok(!wrong.stderr.includes('not-the-secret'))

      expectExit(await cli(['idp', 'sp', 'delete', 'build-bot']), 0)
      expectExit(await cli(['idp', 'sp', 'delete', 'build-bot']), 1)
      const gone = await appToken(bot.appId!, bot.password!)
      expectExit(gone, 1)
    })

    it('account get-access-token takes the secret from standard input or AZURE_CLIENT_SECRET, and prints one field as az -o tsv --query does', async () => {
      const bot = JSON.parse((await cli(['idp', 'sp', 'create', 'quiet-bot', '--json'])).stdout) as Record<string, string>
      const fromStdin = await cli(
        ['account', 'get-access-token', '--server', server.url, '--resource', RESOURCE, '--client-id', bot.appId!, '--client-secret', '-', '--query', 'accessToken', '-o', 'tsv'],
        { input: `${bot.password}\n` },
      )
      expectExit(fromStdin, 0)
      assert.match(fromStdin.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/)
      assert.equal((await verify(fromStdin.stdout.trim())).payload.oid, bot.objectId)

      const fromEnv = await cli(
        ['account', 'get-access-token', '--server', server.url, '--resource', RESOURCE, '--client-id', bot.appId!, '--output', 'tsv', '--query', 'tokenType'],
        { env: { AZURE_CLIENT_SECRET: bot.password! } },
      )
      expectExit(fromEnv, 0)
      assert.equal(fromEnv.stdout, 'Bearer\n')

      const noSecret = await cli(['account', 'get-access-token', '--server', server.url, '--client-id', bot.appId!])
      expectExit(noSecret, 2)
      assert.match(noSecret.stderr, /AZURE_CLIENT_SECRET/)
      const deepQuery = await cli(['account', 'get-access-token', '--server', server.url, '--query', 'a.b'])
      expectExit(deepQuery, 2)
      assert.match(deepQuery.stderr, /not full JMESPath/)
      expectExit(await cli(['idp', 'sp', 'delete', 'quiet-bot']), 0)
    })

    it('sp create --cert registers a certificate credential whose key signs client assertions; --end-date ends a password', async () => {
      const { certificate, withKey } = await createClientCertificate('cert-bot')
      const file = path.join(home, 'cert-bot.pem')
      writeFileSync(file, withKey, { mode: 0o600 })
      const created = await cli(['idp', 'sp', 'create', 'cert-bot', '--cert', file, '--json'])
      expectExit(created, 0)
      const bot = JSON.parse(created.stdout) as Record<string, any>
      assert.deepEqual(Object.keys(bot).sort(), [
        'appId',
        'certificate',
        'displayName',
        'objectId',
        'tenant',
      ])
      const x509 = new X509Certificate(certificate)
      assert.equal(bot.certificate.thumbprint, x509.fingerprint.replaceAll(':', '').toLowerCase())
      assert.equal(
        bot.certificate.thumbprintSha256,
        createHash('sha256').update(x509.raw).digest('base64url'),
      )

      // A client assertion as MSAL makes one: PS256, the certificate's x5t#S256, Entra's token URL.
      const tokenUrl = `${server.url}/${bot.tenant}/oauth2/v2.0/token`
      const key = createPrivateKey(withKey)
      const assertion = await new SignJWT({})
        .setProtectedHeader({
          alg: 'PS256',
          typ: 'JWT',
          'x5t#S256': bot.certificate.thumbprintSha256,
        })
        .setIssuer(bot.appId)
        .setSubject(bot.appId)
        .setAudience(tokenUrl)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key)
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: bot.appId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
          scope: `${RESOURCE}/.default`,
        }),
      })
      const issued = (await response.json()) as Record<string, any>
      assert.equal(response.status, 200, JSON.stringify(issued))
      assert.equal(decodeJwt(issued.access_token).oid, bot.objectId)

      // It has no secret to guess, and the private key never reached the store or the list.
      const listed = await cli(['idp', 'sp', 'list', '--json'])
      assert.ok(!listed.stdout.includes('PRIVATE KEY'))
      const bare = path.join(home, 'not-a-certificate.pem')
      writeFileSync(bare, 'hello')
      const refused = await cli(['idp', 'sp', 'create', 'bare-bot', '--cert', bare])
      expectExit(refused, 1)
      assert.match(refused.stderr, /no PEM certificate/)
      expectExit(
        await cli(['idp', 'sp', 'create', 'gone-bot', '--cert', path.join(home, 'missing.pem')]),
        2,
      )

      // A password may have an end date, as Entra's do; one in the past is refused.
      const dated = await cli([
        'idp',
        'sp',
        'create',
        'dated-bot',
        '--end-date',
        '2099-01-01T00:00:00Z',
        '--json',
      ])
      expectExit(dated, 0)
      assert.equal(JSON.parse(dated.stdout).passwordEndDate, '2099-01-01T00:00:00.000Z')
      const past = await cli([
        'idp',
        'sp',
        'create',
        'past-bot',
        '--end-date',
        '2000-01-01T00:00:00Z',
      ])
      expectExit(past, 1)
      assert.match(past.stderr, /in the past/)
    })

    it('rotates the signing key of a running server', async () => {
      const created = JSON.parse(
        (await cli(['idp', 'sp', 'create', 'rotator', '--json'])).stdout,
      ) as Record<string, string>
      const token = async () => {
        const result = await appToken(created.appId!, created.password!)
        expectExit(result, 0)
        return String((JSON.parse(result.stdout) as Record<string, unknown>).accessToken)
      }
      const before = await token()
      const rotated = await cli(['idp', 'keys', 'rotate', '--json'])
      expectExit(rotated, 0)
      const { kid, retired } = JSON.parse(rotated.stdout) as { kid: string; retired: string[] }
      assert.deepEqual(retired, [decodeProtectedHeader(before).kid])
      const afterwards = await token()
      assert.equal(decodeProtectedHeader(afterwards).kid, kid)
      await verify(before)
      await verify(afterwards)
    })

    it('adds, lists, re-passwords and deletes people', async () => {
      const added = await cli([
        'idp',
        'user',
        'add',
        'ada@example.com',
        '--password',
        'correct horse',
        '--name',
        'Ada',
        '--json',
      ])
      expectExit(added, 0)
      const ada = JSON.parse(added.stdout) as Record<string, string>
      assert.equal(ada.email, 'ada@example.com')
      assert.equal(ada.password, undefined, 'a chosen password is not echoed')

      const generated = await cli(['idp', 'user', 'add', 'bob@example.com'])
      expectExit(generated, 0)
      const password = /password: (\S+)/.exec(generated.stdout)?.[1]
      assert.ok(password, 'a generated password is printed once')
      const piped = await cli(['idp', 'user', 'add', 'cy@example.com'], {
        input: 'piped password\n',
      })
      expectExit(piped, 0)
      assert.ok(!piped.stdout.includes('password'))
      expectExit(await cli(['idp', 'user', 'add', 'Ada@Example.com', '--password', 'whatever1']), 1)
      expectExit(await cli(['idp', 'user', 'add', 'dan@example.com', '--password', 'short']), 1)

      const listed = JSON.parse((await cli(['idp', 'user', 'list', '--json'])).stdout) as Record<
        string,
        unknown
      >[]
      assert.deepEqual(
        listed.map((a) => a.email),
        ['ada@example.com', 'bob@example.com', 'cy@example.com'],
      )
      assert.ok(listed.every((a) => !('passwordHash' in a) && !('password_hash' in a)))

      await withAccounts(async (accounts) => {
        assert.ok(await accounts.authenticate('bob@example.com', password!))
        assert.ok(await accounts.authenticate('cy@example.com', 'piped password'))
        assert.equal(await accounts.authenticate('ada@example.com', 'wrong horse'), null)
      })
      expectExit(
        await cli([
          'idp',
          'user',
          'set-password',
          'ada@example.com',
          '--password',
          'battery staple',
        ]),
        0,
      )
      await withAccounts(async (accounts) => {
        assert.equal(await accounts.authenticate('ada@example.com', 'correct horse'), null)
        assert.ok(await accounts.authenticate('ada@example.com', 'battery staple'))
      })
      expectExit(await cli(['idp', 'user', 'delete', 'bob@example.com']), 0)
      expectExit(await cli(['idp', 'user', 'delete', 'bob@example.com']), 1)
      await withAccounts(async (accounts) =>
        assert.equal(await accounts.authenticate('bob@example.com', password!), null),
      )
    })

    it('signs a person in with login (device flow), keeps the tokens private, and hands them out', async () => {
      await withAccounts((accounts) => accounts.add('eve@example.com', 'eve password 1'))
      const child = spawn(process.execPath, [BIN, 'login', '--server', server.url], {
        cwd: ROOT,
        env: cleanEnv({ OPENCENTRAL_HOME: home }),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
      const prompt = await new Promise<RegExpExecArray>((resolve, reject) => {
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk
          const match = /open (\S+) and enter the code (\S+)/.exec(stderr)
          if (match) resolve(match)
        })
        void exited.then(() => reject(new Error(`login ended early: ${stderr}`)))
      })
      const page = await signInWithDeviceCode(new Browser(), prompt[1]!, prompt[2]!, {
        email: 'eve@example.com',
        password: 'eve password 1',
      })
      assert.equal(page.status, 200, page.html)
      assert.equal(await exited, 0, stderr)

      const file = path.join(home, 'logins.json')
      assert.equal(statSync(file).mode & 0o777, 0o600)
      const saved = JSON.parse(readFileSync(file, 'utf8'))[server.url]
      assert.deepEqual(Object.keys(saved).sort(), [
        'access_token',
        'expires_at',
        'refresh_token',
        'resource',
        'server',
      ])

      const asked = await getToken()
      expectExit(asked, 0)
      const { payload } = await verify(
        String((JSON.parse(asked.stdout) as Record<string, unknown>).accessToken),
      )
      assert.equal(payload.email, 'eve@example.com')
      assert.equal(payload.scp, 'user_impersonation')

      // An expired saved token is refreshed with the refresh token, and the new one saved.
      writeFileSync(file, JSON.stringify({ [server.url]: { ...saved, expires_at: 0 } }))
      const refreshed = await getToken()
      expectExit(refreshed, 0)
      const renewed = JSON.parse(readFileSync(file, 'utf8'))[server.url]
      assert.ok(renewed.expires_at > Date.now() / 1000)
      assert.equal(
        String((JSON.parse(refreshed.stdout) as Record<string, unknown>).accessToken),
        renewed.access_token,
      )
      await verify(renewed.access_token)

      const elsewhere = await cli([
        'account',
        'get-access-token',
        '--server',
        'http://127.0.0.1:1',
        '--resource',
        RESOURCE,
      ])
      expectExit(elsewhere, 1)
      assert.match(elsewhere.stderr, /Not signed in/)
      expectExit(
        await cli([
          'account',
          'get-access-token',
          '--server',
          'http://example.com',
          '--resource',
          RESOURCE,
        ]),
        2,
      )
    })
  })
}
