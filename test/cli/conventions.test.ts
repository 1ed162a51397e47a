import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { COMMANDS, optionDescription } from '../../src/cli/main.js'
import { CONFIG_SOURCES } from '../../src/config/schema.js'
import { createStore, type TestStore } from '../helpers/cli-store.js'
import { cliInProcess } from '../helpers/cli-in-process.js'
import { runCli } from '../helpers/cli.js'
import { DIALECTS } from '../helpers/dialects.js'

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

describe('CLI conventions', () => {
  it('--version prints the package version and exits 0 (the built CLI too)', async () => {
    assert.deepEqual(await cliInProcess(['--version']), { code: 0, stdout: [VERSION], stderr: [] })
    const built = await runCli(['--version'], { timeoutMs: 60_000 })
    assert.equal(built.code, 0, built.stderr)
    assert.equal(built.stdout, `${VERSION}\n`)
  })

  it('<command> --help and -h print usage, description and every option with its meaning, exit 0', async () => {
    for (const command of COMMANDS) {
      for (const flag of ['--help', '-h']) {
        const result = await cliInProcess([...command.words, flag])
        assert.equal(result.code, 0, `${command.words.join(' ')} ${flag}`)
        const text = result.stdout.join('\n')
        assert.ok(text.startsWith(`Usage: opencentral ${command.usage}`))
        assert.ok(text.includes(command.description))
        for (const name of [...Object.keys(command.options ?? {}), ...(command.switches ?? [])]) {
          const description = optionDescription(command, name)
          assert.notEqual(description, '', `${command.words.join(' ')} --${name} has no description`)
          assert.match(text, new RegExp(`--${name}\\b.*${description.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
        }
      }
    }
  })

  it('start --help lists every setting of the schema with its environment variable', async () => {
    const text = (await cliInProcess(['start', '--help'])).stdout.join('\n')
    for (const source of CONFIG_SOURCES) {
      assert.match(text, new RegExp(`--${source.flag} .*${source.env}`), source.key)
      if (source.kind === 'switch') assert.match(text, new RegExp(`--no-${source.flag}\\b`))
    }
    assert.match(text, /--config <value> +JSON configuration file/)
  })

  it('an unknown command or option suggests the nearest and exits 2', async () => {
    const typo = await cliInProcess(['token', 'lst'])
    assert.equal(typo.code, 2)
    assert.match(typo.stderr.join('\n'), /unknown command 'token lst'\. Did you mean 'opencentral token list'\?/)
    const group = await cliInProcess(['tokn', 'list'])
    assert.equal(group.code, 2)
    assert.match(group.stderr.join('\n'), /Did you mean 'opencentral token list'\?/)
    const nothingNear = await cliInProcess(['frobnicate'])
    assert.equal(nothingNear.code, 2)
    assert.doesNotMatch(nothingNear.stderr.join('\n'), /Did you mean/)
    const option = await cliInProcess(['token', 'list', '--dta', 'x'])
    assert.deepEqual([option.code, option.stdout], [2, []])
    assert.match(option.stderr.join('\n'), /unknown option '--dta'\. Did you mean --data\?/)
    const far = await cliInProcess(['role', 'list', '--zzzzzzzz'])
    assert.equal(far.code, 2)
    assert.doesNotMatch(far.stderr.join('\n'), /Did you mean/)
  })

  it('refuses an unknown -o format and a --query that is not one field, before touching a store', async () => {
    const format = await cliInProcess(['token', 'list', '-o', 'yaml', '--data', '/nonexistent/store'])
    assert.equal(format.code, 2)
    assert.match(format.stderr.join('\n'), /--output: 'yaml' is not one of json, table, tsv/)
    for (const query of ['[0].id', 'a.b', "[?id=='x']"]) {
      const result = await cliInProcess(['token', 'list', '--query', query, '--data', '/nonexistent/store'])
      assert.equal(result.code, 2, query)
      assert.match(result.stderr.join('\n'), /not full JMESPath/)
    }
  })
})

for (const dialect of DIALECTS) {
  describe(`CLI: -o, --query and the configuration file (${dialect})`, () => {
    let store: TestStore
    let configFile: string
    beforeEach(async () => {
      store = await createStore(dialect)
      configFile = path.join(store.dataDir, 'settings.json')
      writeFileSync(
        configFile,
        JSON.stringify({ dataDir: store.dataDir, ...(store.databaseUrl ? { databaseUrl: store.databaseUrl } : {}) }),
      )
    })
    afterEach(async () => store?.remove())

    it('commands find their store through --config; -o tsv and --query print what az would', async () => {
      const created = await cliInProcess(['token', 'create', 'ci', '--role', 'Operator', '--config', configFile, '-o', 'tsv', '--query', 'token'])
      assert.equal(created.code, 0, created.stderr.join('\n'))
      assert.equal(created.stdout.length, 1)
      assert.match(created.stdout[0]!, /^SharedAccessSignature sr=.*skn=ci&se=\d+$/)

      const ids = await cliInProcess(['token', 'list', '--config', configFile, '--query', '[].id', '-o', 'tsv'])
      assert.deepEqual([ids.code, ids.stdout], [0, ['ci']])
      const json = await cliInProcess(['token', 'list', '--config', configFile, '-o', 'json'])
      assert.equal(json.code, 0)
      assert.deepEqual((JSON.parse(json.stdout.join('\n')) as { id: string }[]).map((t) => t.id), ['ci'])
      const tsv = await cliInProcess(['role', 'list', '--config', configFile, '-o', 'tsv'])
      assert.ok(tsv.stdout.some((line) => line.split('\t')[1] === 'Operator'))
      const wrongShape = await cliInProcess(['token', 'list', '--config', configFile, '--query', 'id'])
      assert.equal(wrongShape.code, 2)
      assert.match(wrongShape.stderr.join('\n'), /prints a list; use --query \[\]\.id/)
    })

    it('the built CLI reads OPENCENTRAL_CONFIG; a named file that is missing or holds a bad key is refused', async () => {
      const listed = await runCli(['token', 'list', '--json'], { env: { OPENCENTRAL_CONFIG: configFile }, timeoutMs: 60_000 })
      assert.equal(listed.code, 0, listed.stderr)
      assert.deepEqual(JSON.parse(listed.stdout), [])
      const missing = await cliInProcess(['token', 'list', '--config', path.join(store.dataDir, 'nope.json')])
      assert.equal(missing.code, 2)
      assert.match(missing.stderr.join('\n'), /nope\.json \(--config\): cannot read the configuration file/)
      writeFileSync(configFile, JSON.stringify({ dataDir: store.dataDir, datadir: 'x' }))
      const bad = await cliInProcess(['token', 'list', '--config', configFile])
      assert.equal(bad.code, 2)
      assert.match(bad.stderr.join('\n'), /datadir \(.*settings\.json\): is not a configuration setting \(did you mean dataDir\?\)/)
    })
  })
}
