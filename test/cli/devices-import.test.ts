import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { DeviceView } from '../../src/services/device.service.js'
import { runCli } from '../helpers/cli.js'
import { createStore, expectExit, type TestStore } from '../helpers/cli-store.js'
import { DIALECTS } from '../helpers/dialects.js'

const TEMPLATE = 'dtmi:test:thermostat;1'
const HEADER = 'IOTC_DEVICEID,IOTC_DEVICENAME,template,organization,simulated,enabled'

for (const dialect of DIALECTS) {
  describe(`CLI: devices import (${dialect})`, () => {
    let store: TestStore
    beforeEach(async () => {
      store = await createStore(dialect)
      await store.services(async (s) => {
        await s.deviceTemplates.put(null, TEMPLATE, { displayName: 'Thermostat' })
        await s.organizations.put(null, 'us', { displayName: 'United States' })
      })
    })
    afterEach(async () => store?.remove())

    /** Writes `text` as a CSV file in the test's folder and imports it. */
    function importCsv(text: string, ...args: string[]) {
      const file = path.join(store.dataDir, 'devices.csv')
      writeFileSync(file, text)
      return runCli(['devices', 'import', file, ...args, ...store.flags], { timeoutMs: 60_000 })
    }

    async function allDevices(): Promise<DeviceView[]> {
      return store.services(async (s) => {
        const devices: DeviceView[] = []
        let after: string | null = null
        do {
          const page = await s.devices.list(null, { after, limit: 100 })
          devices.push(...page.items)
          after = page.next
        } while (after !== null)
        return devices
      })
    }

    const ids = async (): Promise<string[]> => (await allDevices()).map((d) => d.id)

    it('imports a few hundred rows in batches, each as the API would have created it', async () => {
      const rows = Array.from({ length: 350 }, (_, i) => {
        const n = String(i).padStart(4, '0')
        return i % 2 === 0 ? `dev-${n},Device ${n},${TEMPLATE},us,true,false` : `dev-${n},,,,,`
      })
      const result = await importCsv([HEADER, ...rows, ''].join('\n'), '--batch-size', '100')
      expectExit(result, 0)
      assert.match(
        result.stdout,
        /^Imported 350 of 350 rows in [\d.]+ s \(\d+ rows\/s\); 0 rejected, 0 skipped with their batch\.\n$/,
      )
      // stderr is not a terminal here: progress comes as plain lines, ending at 100%.
      assert.match(result.stderr, /^100% {2}350 rows, \d+ rows\/s$/m)
      const devices = await allDevices()
      assert.equal(devices.length, 350)
      const { etag: _a, ...even } = devices.find((d) => d.id === 'dev-0000')!
      assert.deepEqual(even, {
        id: 'dev-0000',
        displayName: 'Device 0000',
        template: TEMPLATE,
        organizations: ['us'],
        simulated: true,
        enabled: false,
        provisioned: false,
      })
      const { etag: _b, ...odd } = devices.find((d) => d.id === 'dev-0349')!
      // Empty cells take the API's defaults: the id as name, enabled, not simulated, the root.
      assert.deepEqual(odd, {
        id: 'dev-0349',
        displayName: 'dev-0349',
        simulated: false,
        enabled: true,
        provisioned: false,
      })
    })

    it('reports each bad row with its line and reason, and writes nothing of its batch', async () => {
      // Batches of 5 data rows: lines 2-6, 7-11, 12-16, 17-21.
      const good = (n: number) => `ok-${n},Good ${n},,,,`
      const text = [
        HEADER,
        good(1),
        good(2),
        good(3),
        good(4),
        good(5),
        good(6),
        'bad id!,Bad,,,,',
        good(8),
        `tpl-9,T,dtmi:test:missing;1,,,`,
        good(10),
        good(11),
        good(12),
        good(13),
        good(14),
        good(15),
        'org-16,O,,nowhere,,',
        good(17),
        'bool-18,B,,,maybe,',
        good(19),
        good(20),
      ].join('\n')
      const result = await importCsv(text, '--batch-size', '5')
      expectExit(result, 1)
      assert.match(result.stderr, /^line 8 \(bad id!\): 'bad id!' is not a valid device id /m)
      assert.match(
        result.stderr,
        /^line 10 \(tpl-9\): template: 'dtmi:test:missing;1' does not exist$/m,
      )
      assert.match(
        result.stderr,
        /^lines 7-11 not imported: their batch holds 2 rejected row\(s\)$/m,
      )
      assert.match(result.stderr, /^line 17 \(org-16\): organization: 'nowhere' does not exist$/m)
      assert.match(
        result.stderr,
        /^line 19 \(bool-18\): simulated: 'maybe' is not a boolean \(true, false, 1 or 0\)$/m,
      )
      assert.match(
        result.stderr,
        /^lines 17-21 not imported: their batch holds 2 rejected row\(s\)$/m,
      )
      assert.match(
        result.stdout,
        /^Imported 10 of 20 rows .*; 4 rejected, 6 skipped with their batch\.$/m,
      )
      // The good rows of a failed batch are not there either; the other batches are whole.
      assert.deepEqual(
        (await ids()).sort(),
        [1, 2, 3, 4, 5, 11, 12, 13, 14, 15].map((n) => `ok-${n}`).sort(),
      )
    })

    it('--json sums up on stdout, with the rejected rows', async () => {
      const result = await importCsv(`${HEADER}\na,,,,,\nb,,,,,nope\na,,,,,\n`, '--json')
      expectExit(result, 1)
      const summary = JSON.parse(result.stdout)
      assert.equal(typeof summary.seconds, 'number')
      assert.equal(typeof summary.rowsPerSecond, 'number')
      assert.deepEqual(
        { ...summary, seconds: 0, rowsPerSecond: 0 },
        {
          rows: 3,
          imported: 0,
          rejected: 2,
          skipped: 1,
          seconds: 0,
          rowsPerSecond: 0,
          rejectedRows: [
            { line: 3, id: 'b', reason: "enabled: 'nope' is not a boolean (true, false, 1 or 0)" },
            { line: 4, id: 'a', reason: 'the device id is already on line 2 of the file' },
          ],
        },
      )
    })

    it('reads column names in any case and any order, ignores other columns, and reads quoted CSV', async () => {
      const text =
        '\uFEFFNotes,Enabled,DisplayName,ID,Organization,TEMPLATE\r\n' +
        `"a, b",0,"Line ""one""",q-1,us,${TEMPLATE}\r\n` +
        `x,,"two\r\nlines",q-2,,\r\n` +
        '\r\n' +
        'y,TRUE,Three,q-3,,\r\n'
      const result = await importCsv(text)
      expectExit(result, 0)
      const devices = await allDevices()
      assert.deepEqual(
        devices.map(({ id, displayName, enabled, organizations, template }) => ({
          id,
          displayName,
          enabled,
          organizations,
          template,
        })),
        [
          {
            id: 'q-1',
            displayName: 'Line "one"',
            enabled: false,
            organizations: ['us'],
            template: TEMPLATE,
          },
          {
            id: 'q-2',
            displayName: 'two\nlines',
            enabled: true,
            organizations: undefined,
            template: undefined,
          },
          {
            id: 'q-3',
            displayName: 'Three',
            enabled: true,
            organizations: undefined,
            template: undefined,
          },
        ],
      )
      const other = await importCsv('name,id\nFour,q-4\n')
      expectExit(other, 0)
      assert.equal((await allDevices()).find((d) => d.id === 'q-4')?.displayName, 'Four')
    })

    it('rejects a row with more fields than the header, and an unclosed quote, by line', async () => {
      const result = await importCsv('id,name\nw-1,Acme, Inc.\nw-2,"open\nw-3,x\n')
      expectExit(result, 1)
      assert.match(result.stderr, /^line 2 \(w-1\): has 3 fields but the header has 2 /m)
      assert.match(result.stderr, /^line 3: a quoted field is never closed$/m)
      assert.deepEqual(await ids(), [])
    })

    it('exits 2 with a message for an empty file, a file without header, or a header naming the id twice', async () => {
      const cases: [string, RegExp][] = [
        ['', /the file is empty: its first row must be a header/],
        ['\n\n', /the file is empty/],
        [
          'dev-1,Thermostat\n',
          /the first row must be a header naming the device id column \(IOTC_DEVICEID or id\); it reads 'dev-1,Thermostat'/,
        ],
        [
          'id,IOTC_DEVICEID\nx,y\n',
          /the header names the id column more than once \(id, IOTC_DEVICEID\)/,
        ],
      ]
      for (const [text, message] of cases) {
        const result = await importCsv(text)
        expectExit(result, 2)
        assert.match(result.stderr, message)
        assert.match(result.stderr, /Usage: opencentral devices import <file\.csv>/)
        assert.equal(result.stdout, '')
      }
      assert.deepEqual(await ids(), [])
    })

    it('exits 2 for a missing file, a bad batch size, or no file at all', async () => {
      const missing = await runCli([
        'devices',
        'import',
        path.join(store.dataDir, 'none.csv'),
        ...store.flags,
      ])
      expectExit(missing, 2)
      assert.match(missing.stderr, /cannot read '.*none\.csv'/)
      for (const size of ['0', '3277', 'ten']) {
        const result = await importCsv(`${HEADER}\n`, '--batch-size', size)
        expectExit(result, 2)
        assert.match(result.stderr, /--batch-size must be a whole number from 1 to 3276/)
      }
      expectExit(await runCli(['devices', 'import', ...store.flags]), 2)
    })

    if (dialect === 'postgres') {
      it('analyzes the devices table after a large import, so PostgreSQL plans group pages on fresh statistics', async () => {
        const lastAnalyzed = async () => {
          const client = new pg.Client({ connectionString: store.databaseUrl })
          await client.connect()
          try {
            const { rows } = await client.query<{ count: string }>(
              "select analyze_count + autoanalyze_count as count from pg_stat_user_tables where relname = 'devices'",
            )
            return Number(rows[0]?.count ?? 0)
          } finally {
            await client.end()
          }
        }
        const small = Array.from({ length: 100 }, (_, i) => `small-${String(i).padStart(5, '0')},,,,,`)
        expectExit(await importCsv([HEADER, ...small, ''].join('\n')), 0)
        const before = await lastAnalyzed()
        const large = Array.from({ length: 10_000 }, (_, i) => `large-${String(i).padStart(5, '0')},,,,,`)
        expectExit(await importCsv([HEADER, ...large, ''].join('\n'), '--batch-size', '2500'), 0)
        assert.ok((await lastAnalyzed()) > before, 'the devices table was analyzed after the large import')
      })
    }

    it('a header alone imports nothing and exits 0', async () => {
      const result = await importCsv(`${HEADER}\n`)
      expectExit(result, 0)
      assert.match(result.stdout, /^Imported 0 of 0 rows/)
    })

    it('refuses existing ids (their batch is not written), and --update replaces them', async () => {
      expectExit(await importCsv(`${HEADER}\ne-1,First,,,,\n`), 0)
      const before = await store.services((s) => s.devices.get(null, 'e-1'))

      const again = await importCsv(
        `${HEADER}\ne-2,New,,,,\ne-1,Second,${TEMPLATE},us,true,false\n`,
      )
      expectExit(again, 1)
      assert.match(
        again.stderr,
        /^line 3 \(e-1\): a device with this id exists \(--update replaces it\)$/m,
      )
      assert.match(again.stderr, /import the file again with --update/)
      assert.deepEqual(await ids(), ['e-1'])
      assert.deepEqual(await store.services((s) => s.devices.get(null, 'e-1')), before)

      const updated = await importCsv(
        `${HEADER}\ne-2,New,,,,\ne-1,Second,${TEMPLATE},us,true,false\n`,
        '--update',
      )
      expectExit(updated, 0)
      const after = await store.services((s) => s.devices.get(null, 'e-1'))
      assert.notEqual(after.etag, before.etag)
      const { etag: _, ...rest } = after
      assert.deepEqual(rest, {
        id: 'e-1',
        displayName: 'Second',
        template: TEMPLATE,
        organizations: ['us'],
        simulated: true,
        enabled: false,
        provisioned: false,
      })
      assert.deepEqual(await ids(), ['e-1', 'e-2'])
    })

    it('refuses a device id repeated anywhere in the file with both line numbers, not as an existing device; --update keeps the first row', async () => {
      const rows = [HEADER, 'a-1,A,,,,', 'dup,First,,,,', 'a-3,A,,,,', 'a-4,A,,,,', 'a-5,A,,,,', 'a-6,A,,,,', 'dup,Second,,,,']
      for (const flags of [[], ['--update']]) {
        const result = await importCsv(rows.join('\n'), '--batch-size', '2', ...flags)
        expectExit(result, 1)
        assert.match(result.stderr, /^line 8 \(dup\): the device id is already on line 3 of the file$/m)
        assert.doesNotMatch(result.stderr, /exists \(--update replaces it\)/)
        assert.equal((await store.services((s) => s.devices.get(null, 'dup'))).displayName, 'First')
        await store.services(async (s) => {
          for (const id of await ids()) await s.devices.delete(null, id)
        })
      }
    })

    it('--update replaces only the columns the file has: a missing column keeps its value', async () => {
      expectExit(await importCsv(`${HEADER}\nk-1,Kept name,${TEMPLATE},us,false,true\n`), 0)
      const before = await store.services((s) => s.devices.get(null, 'k-1'))
      expectExit(await importCsv('id,simulated\nk-1,true\nk-2,true\n', '--update'), 0)
      const { etag, ...after } = await store.services((s) => s.devices.get(null, 'k-1'))
      assert.notEqual(etag, before.etag)
      assert.deepEqual(after, {
        id: 'k-1',
        displayName: 'Kept name',
        template: TEMPLATE,
        organizations: ['us'],
        simulated: true,
        enabled: true,
        provisioned: false,
      })
      // A new device gets the defaults of the columns the file lacks, as before.
      const added = await store.services((s) => s.devices.get(null, 'k-2'))
      assert.equal(added.displayName, 'k-2')
      assert.equal(added.template, undefined)
    })

    it('lists at most --max-errors rejected rows (default 20), then counts the rest, and advises on what failed', async () => {
      const rows = [HEADER, ...Array.from({ length: 60 }, (_, i) => `m-${i},M,dtmi:test:missing;1,,,`)]
      const result = await importCsv(rows.join('\n'), '--batch-size', '10')
      expectExit(result, 1)
      const listed = result.stderr.split('\n').filter((line) => /^lines? \d/.test(line))
      assert.equal(listed.length, 20, result.stderr)
      assert.match(result.stderr, /^46 more messages not shown \(--max-errors 20;/m)
      assert.match(result.stderr, /60 row\(s\) name a device template that does not exist \(dtmi:test:missing;1\)/)
      assert.doesNotMatch(result.stderr, /--update/)
      const five = await importCsv(rows.join('\n'), '--batch-size', '10', '--max-errors', '5')
      assert.equal(five.stderr.split('\n').filter((line) => /^lines? \d/.test(line)).length, 5)
      expectExit(await importCsv(rows.join('\n'), '--max-errors', 'x'), 2)
    })

    it('advises --update for ids that exist, and only then', async () => {
      expectExit(await importCsv(`${HEADER}\nx-1,X,,,,\n`), 0)
      const result = await importCsv(`${HEADER}\nx-1,X,,,,\n`)
      expectExit(result, 1)
      assert.match(result.stderr, /1 row\(s\) name a device that exists: import the file again with --update to replace them/)
    })

    it('--dry-run checks every row as an import would and writes nothing', async () => {
      expectExit(await importCsv(`${HEADER}\nold,Old,,,,\n`), 0)
      const before = await store.services((s) => s.devices.get(null, 'old'))
      const failing = await importCsv(`${HEADER}\nnew-1,N,,,,\nold,Changed,,,,\nnew-2,N,dtmi:test:missing;1,,,\n`, '--dry-run', '--batch-size', '1')
      expectExit(failing, 1)
      assert.match(failing.stderr, /^line 3 \(old\): a device with this id exists/m)
      assert.match(failing.stderr, /^line 4 \(new-2\): template: 'dtmi:test:missing;1' does not exist$/m)
      assert.match(failing.stdout, /^Dry run: 1 of 3 rows would be imported/m)
      const clean = await importCsv(`${HEADER}\nnew-1,N,,,,\nold,Changed,,,,\n`, '--dry-run', '--update')
      expectExit(clean, 0)
      assert.match(clean.stdout, /^Dry run: 2 of 2 rows would be imported .*; nothing was written\.$/m)
      assert.deepEqual(await ids(), ['old'])
      assert.deepEqual(await store.services((s) => s.devices.get(null, 'old')), before)
    })

    it('shows progress up to 100% for a file with CRLF line ends and a byte-order mark', async () => {
      const rows = [HEADER, ...Array.from({ length: 300 }, (_, i) => `c-${i},C,,,,`)]
      const result = await importCsv(`\ufeff${rows.join('\r\n')}\r\n`)
      expectExit(result, 0)
      assert.match(result.stderr, /^100% {2}300 rows/m)
      assert.equal((await ids()).length, 300)
    })
  })
}
