import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { csvRecords, type CsvFault, type CsvRecord } from '../../src/services/csv-records.js'

async function read(text: string): Promise<(CsvRecord | CsvFault)[]> {
  async function* lines() {
    yield* text.split('\n')
  }
  const records: (CsvRecord | CsvFault)[] = []
  for await (const record of csvRecords(lines())) records.push(record)
  return records
}

describe('csvRecords', () => {
  const cases: [string, string, (CsvRecord | CsvFault)[]][] = [
    ['plain fields', 'a,b,c', [{ line: 1, fields: ['a', 'b', 'c'] }]],
    ['empty fields', ',x,', [{ line: 1, fields: ['', 'x', ''] }]],
    ['a quoted comma', '"a,b",c', [{ line: 1, fields: ['a,b', 'c'] }]],
    ['escaped quotes', '"say ""hi""",""', [{ line: 1, fields: ['say "hi"', ''] }]],
    ['a quoted last field', 'a,"b"', [{ line: 1, fields: ['a', 'b'] }]],
    ['a quoted empty last field', 'a,""', [{ line: 1, fields: ['a', ''] }]],
    [
      'a line break inside quotes: the record keeps its first line',
      'h\n"one\ntwo",x\nnext',
      [
        { line: 1, fields: ['h'] },
        { line: 2, fields: ['one\ntwo', 'x'] },
        { line: 4, fields: ['next'] },
      ],
    ],
    [
      'blank lines skipped, still counted',
      'a\n\n  \nb',
      [
        { line: 1, fields: ['a'] },
        { line: 4, fields: ['b'] },
      ],
    ],
    ['a byte-order mark dropped', '\uFEFFid,name', [{ line: 1, fields: ['id', 'name'] }]],
    [
      'text after a closing quote',
      '"a"b,c',
      [{ line: 1, fault: 'unexpected text after the closing quote of field 1' }],
    ],
    [
      'a quote in an unquoted field',
      'a,b"c"',
      [{ line: 1, fault: 'a quote inside the unquoted field 2' }],
    ],
    [
      'a quote never closed',
      'a\n"b,c\nd',
      [
        { line: 1, fields: ['a'] },
        { line: 2, fault: 'a quoted field is never closed' },
      ],
    ],
  ]
  for (const [name, text, expected] of cases) {
    it(name, async () => assert.deepEqual(await read(text), expected))
  }
})
