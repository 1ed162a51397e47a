import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  MAX_CONDITIONS,
  MAX_NESTING,
  MAX_QUERY_LENGTH,
  parseDeviceQuery,
  QuerySyntaxError,
  type Condition,
} from '../../src/device-query/index.js'

const where = (text: string): Condition | null => parseDeviceQuery(`SELECT * FROM devices WHERE ${text}`).where
const PREFIX = 'SELECT * FROM devices WHERE '.length

const template = (value: string): Condition => ({ kind: 'text', property: 'template', match: 'equals', value })
const text = (property: 'id' | 'displayName' | 'template' | 'organizations', value: string, match: 'equals' | 'startsWith' | 'endsWith' | 'contains' = 'equals'): Condition => ({
  kind: 'text',
  property,
  match,
  value,
})
const flag = (property: 'provisioned' | 'simulated' | 'enabled', value: boolean): Condition => ({ kind: 'flag', property, value })
const not = (operand: Condition): Condition => ({ kind: 'not', operand })

/** Asserts the parse fails at `at` (1-based) with exactly `reason`. */
function fails(query: string, at: number, reason: string): void {
  assert.throws(
    () => parseDeviceQuery(query),
    (error: unknown) => {
      assert.ok(error instanceof QuerySyntaxError, String(error))
      assert.equal(error.message, `at character ${at}: ${reason}`)
      assert.equal(error.at, at)
      return true
    },
  )
}

describe('device query: valid forms', () => {
  it("parses IoT Central's own example filters", () => {
    assert.deepEqual(
      parseDeviceQuery('SELECT * FROM devices WHERE $template = "dtmi:modelDefinition:dtdlv2" AND $provisioned = true'),
      { where: { kind: 'and', operands: [template('dtmi:modelDefinition:dtdlv2'), flag('provisioned', true)] } },
    )
    assert.deepEqual(parseDeviceQuery('SELECT * FROM devices WHERE $template = "dtmi:modelDefinition:model1"'), {
      where: template('dtmi:modelDefinition:model1'),
    })
    assert.deepEqual(
      parseDeviceQuery('SELECT * FROM devices WHERE $template = "dtmi:modelDefinition:model2" AND $simulated = true'),
      { where: { kind: 'and', operands: [template('dtmi:modelDefinition:model2'), flag('simulated', true)] } },
    )
  })

  it('takes a query without WHERE as every device', () => {
    assert.deepEqual(parseDeviceQuery('SELECT * FROM devices'), { where: null })
    assert.deepEqual(parseDeviceQuery('  select\n*\tfrom   DEVICES  '), { where: null })
  })

  it('reads keywords, function and property names in any case', () => {
    const expected = { kind: 'and', operands: [template('x'), text('id', 'a', 'startsWith'), not(flag('enabled', false))] }
    assert.deepEqual(where('$template = "x" AND STARTSWITH($id, "a") AND NOT $enabled = false'), expected)
    assert.deepEqual(
      parseDeviceQuery('select * from devices where $TEMPLATE = "x" and startsWith($ID, "a") and not $Enabled = FALSE').where,
      expected,
    )
  })

  it('reads every property with its type', () => {
    assert.deepEqual(where('$id = "a"'), text('id', 'a'))
    assert.deepEqual(where('$displayName = "A b"'), text('displayName', 'A b'))
    assert.deepEqual(where('$organizations = "wa"'), text('organizations', 'wa'))
    assert.deepEqual(where('$provisioned = false'), flag('provisioned', false))
    assert.deepEqual(where('$simulated = true'), flag('simulated', true))
    assert.deepEqual(where('$enabled = true'), flag('enabled', true))
  })

  it('reads != and <> as the negation of =', () => {
    assert.deepEqual(where('$template != "x"'), not(template('x')))
    assert.deepEqual(where('$template <> "x"'), not(template('x')))
    assert.deepEqual(where('$simulated != true'), not(flag('simulated', true)))
  })

  it('reads the string functions', () => {
    assert.deepEqual(where('STARTSWITH($displayName, "Ther")'), text('displayName', 'Ther', 'startsWith'))
    assert.deepEqual(where('ENDSWITH($id, "-01")'), text('id', '-01', 'endsWith'))
    assert.deepEqual(where('CONTAINS($template, "thermo")'), text('template', 'thermo', 'contains'))
  })

  it('binds AND tighter than OR, and parentheses tighter than both', () => {
    assert.deepEqual(where('$id = "a" OR $id = "b" AND $enabled = true'), {
      kind: 'or',
      operands: [text('id', 'a'), { kind: 'and', operands: [text('id', 'b'), flag('enabled', true)] }],
    })
    assert.deepEqual(where('($id = "a" OR $id = "b") AND $enabled = true'), {
      kind: 'and',
      operands: [{ kind: 'or', operands: [text('id', 'a'), text('id', 'b')] }, flag('enabled', true)],
    })
    assert.deepEqual(where('NOT $id = "a" AND $id = "b"'), { kind: 'and', operands: [not(text('id', 'a')), text('id', 'b')] })
    assert.deepEqual(where('NOT ($id = "a" AND $id = "b")'), not({ kind: 'and', operands: [text('id', 'a'), text('id', 'b')] }))
    assert.deepEqual(where('NOT NOT $id = "a"'), not(not(text('id', 'a'))))
    assert.deepEqual(where('((($id = "a")))'), text('id', 'a'))
  })

  it('needs no spaces around symbols', () => {
    assert.deepEqual(where('($id="a")OR(STARTSWITH($id,"b"))'), { kind: 'or', operands: [text('id', 'a'), text('id', 'b', 'startsWith')] })
  })

  it('reads single- and double-quoted strings with their escapes', () => {
    assert.deepEqual(where(`$displayName = 'it''s'`.replace("''", "\\'")), text('displayName', "it's"))
    assert.deepEqual(where(`$displayName = "say \\"hi\\""`), text('displayName', 'say "hi"'))
    assert.deepEqual(where(`$displayName = 'a "quoted" word'`), text('displayName', 'a "quoted" word'))
    assert.deepEqual(where(`$displayName = "it's"`), text('displayName', "it's"))
    assert.deepEqual(where(`$displayName = "back\\\\slash"`), text('displayName', 'back\\slash'))
    assert.deepEqual(where(`$displayName = ""`), text('displayName', ''))
    assert.deepEqual(where(`$displayName = "Zürich 東京 🌡"`), text('displayName', 'Zürich 東京 🌡'))
  })

  it('keeps SQL and query keywords inside strings as plain text', () => {
    for (const value of [
      "' OR 1=1 --",
      '" OR "1"="1',
      'x); DROP TABLE devices; --',
      'SELECT * FROM devices',
      'AND $enabled = true',
      '%_\\',
      '$template',
    ]) {
      const quoted = `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
      assert.deepEqual(where(`$displayName = ${quoted}`), text('displayName', value), value)
      assert.deepEqual(where(`CONTAINS($id, ${quoted})`), text('id', value, 'contains'), value)
    }
  })

  it(`accepts ${MAX_CONDITIONS} conditions and ${MAX_NESTING - 1} levels of nesting`, () => {
    const many = Array.from({ length: MAX_CONDITIONS }, (_, i) => `$id = "d${i}"`).join(' OR ')
    assert.equal((where(many) as unknown as { operands: unknown[] }).operands.length, MAX_CONDITIONS)
    const deep = `${'('.repeat(MAX_NESTING - 1)}$id = "a"${')'.repeat(MAX_NESTING - 1)}`
    assert.deepEqual(where(deep), text('id', 'a'))
  })
})

describe('device query: errors name the character and what was expected', () => {
  it('a value missing after =', () => {
    fails('SELECT * FROM devices WHERE $template =', 40, "expected a value after '=', found end of query")
    fails('SELECT * FROM devices WHERE $enabled !=', 40, "expected a value after '!=', found end of query")
  })

  it('a value of the wrong type', () => {
    fails('SELECT * FROM devices WHERE $provisioned = "true"', PREFIX + 16, `expected true or false after '=' ($provisioned is true or false), found the string "true"`)
    fails('SELECT * FROM devices WHERE $provisioned = 1', PREFIX + 16, `expected true or false after '=' ($provisioned is true or false), found '1'`)
    fails('SELECT * FROM devices WHERE $template = true', PREFIX + 13, `expected a quoted string after '=' ($template is text), found 'true'`)
    fails('SELECT * FROM devices WHERE $template = dtmi:x;1', PREFIX + 13, `expected a quoted string after '=' ($template is text), found 'dtmi:x;1'`)
  })

  it('the head of the query', () => {
    fails('', 1, 'expected SELECT at the start of the query, found end of query')
    fails('DELETE FROM devices', 1, "expected SELECT at the start of the query, found 'DELETE'")
    fails('SELECT id FROM devices', 8, "expected '*' after SELECT (a device group selects whole devices), found 'id'")
    fails('SELECT * devices', 10, "expected FROM after 'SELECT *', found 'devices'")
    fails('SELECT * FROM users', 15, "expected devices after FROM, found 'users'")
    fails('SELECT * FROM devices $id = "a"', 23, "expected WHERE or the end of the query after FROM devices, found '$id'")
    fails('SELECT * FROM devices WHERE', 28, "expected a condition (a $property, STARTSWITH, ENDSWITH, CONTAINS, NOT or '('), found end of query")
  })

  it('properties and operators', () => {
    fails('SELECT * FROM devices WHERE $foo = "a"', PREFIX + 1, 'expected a known property ($id, $displayName, $template, $organizations, $provisioned, $simulated or $enabled), found \'$foo\'')
    fails('SELECT * FROM devices WHERE $ = "a"', PREFIX + 1, "expected a property name after '$'")
    fails('SELECT * FROM devices WHERE id = "a"', PREFIX + 1, "expected a condition (a $property, STARTSWITH, ENDSWITH, CONTAINS, NOT or '('), found 'id'")
    fails('SELECT * FROM devices WHERE $id "a"', PREFIX + 5, 'expected =, != or <> after $id, found the string "a"')
    fails('SELECT * FROM devices WHERE $id > "a"', PREFIX + 5, "unexpected character \">\"")
    fails('SELECT * FROM devices WHERE $id ! "a"', PREFIX + 5, "unexpected '!' (the operators are =, != and <>)")
    fails('SELECT * FROM devices WHERE $id == "a"', PREFIX + 6, "expected a quoted string after '=' ($id is text), found '='")
  })

  it('AND, OR and parentheses', () => {
    fails('SELECT * FROM devices WHERE $id = "a" AND', PREFIX + 14, "expected a condition (a $property, STARTSWITH, ENDSWITH, CONTAINS, NOT or '('), found end of query")
    fails('SELECT * FROM devices WHERE $id = "a" $id = "b"', PREFIX + 11, "expected AND, OR or the end of the query, found '$id'")
    fails('SELECT * FROM devices WHERE ($id = "a"', PREFIX + 11, "expected ')' or AND or OR, found end of query")
    fails('SELECT * FROM devices WHERE $id = "a")', PREFIX + 10, "expected end of query (this parenthesis closes nothing), found ')'")
    fails('SELECT * FROM devices WHERE ()', PREFIX + 2, "expected a condition (a $property, STARTSWITH, ENDSWITH, CONTAINS, NOT or '('), found ')'")
    fails('SELECT * FROM devices WHERE $id = "a" XOR $id = "b"', PREFIX + 11, "expected AND, OR or the end of the query, found 'XOR'")
  })

  it('functions', () => {
    fails('SELECT * FROM devices WHERE STARTSWITH $id', PREFIX + 12, "expected '(' after STARTSWITH, found '$id'")
    fails('SELECT * FROM devices WHERE CONTAINS($provisioned, "a")', PREFIX + 10, 'CONTAINS applies to $id, $displayName or $template ($provisioned is matched with = or !=)')
    fails('SELECT * FROM devices WHERE ENDSWITH($organizations, "a")', PREFIX + 10, 'ENDSWITH applies to $id, $displayName or $template ($organizations is matched with = or !=)')
    fails('SELECT * FROM devices WHERE CONTAINS($id "a")', PREFIX + 14, `expected ',' after $id, found the string "a"`)
    fails('SELECT * FROM devices WHERE CONTAINS($id, a)', PREFIX + 15, "expected a quoted string as the second argument of CONTAINS, found 'a'")
    fails('SELECT * FROM devices WHERE CONTAINS($id, "a"', PREFIX + 18, "expected ')' after the second argument of CONTAINS, found end of query")
    fails('SELECT * FROM devices WHERE UPPER($id) = "A"', PREFIX + 1, "expected a condition (a $property, STARTSWITH, ENDSWITH, CONTAINS, NOT or '('), found 'UPPER'")
  })

  it('strings', () => {
    fails('SELECT * FROM devices WHERE $id = "abc', PREFIX + 7, 'the string opened here has no closing "')
    fails("SELECT * FROM devices WHERE $id = 'abc\"", PREFIX + 7, "the string opened here has no closing '")
    fails('SELECT * FROM devices WHERE $id = "a\\nb"', PREFIX + 9, 'unknown escape "\\\\n" (use \\", \\\' or \\\\)')
    fails('SELECT * FROM devices WHERE $id = "a\\', PREFIX + 9, "unknown escape '\\' at the end (use \\\", \\' or \\\\)")
  })

  it('reports the first problem in the text, not a later one', () => {
    // The unknown property comes before the unreadable character.
    fails('SELECT * FROM devices WHERE $foo = 1 # x', PREFIX + 1, 'expected a known property ($id, $displayName, $template, $organizations, $provisioned, $simulated or $enabled), found \'$foo\'')
    fails('SELECT * FROM devices WHERE $id = "a" AND $id = "b', PREFIX + 21, 'the string opened here has no closing "')
  })

  it('limits: length, conditions, nesting', () => {
    fails(`SELECT * FROM devices WHERE $id = "${'a'.repeat(MAX_QUERY_LENGTH)}"`, MAX_QUERY_LENGTH + 1, `a filter is at most ${MAX_QUERY_LENGTH} characters long`)
    const many = Array.from({ length: MAX_CONDITIONS + 1 }, () => '$enabled = true').join(' OR ')
    assert.throws(() => where(many), /too many conditions \(at most 50\)/)
    const deep = `${'('.repeat(MAX_NESTING)}$id = "a"${')'.repeat(MAX_NESTING)}`
    assert.throws(() => where(deep), /nested too deeply \(at most 16 levels of parentheses and NOT\)/)
    assert.throws(() => where(`${'NOT '.repeat(MAX_NESTING)}$id = "a"`), /nested too deeply/)
    // Deep input fails cleanly, never by exhausting the stack.
    assert.throws(() => where(`${'('.repeat(100_000)}`), /at most|nested too deeply/)
  })
})
