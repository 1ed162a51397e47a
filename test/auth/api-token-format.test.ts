import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  formatApiToken,
  parseApiTokenParameters,
  type ApiTokenFields,
} from '../../src/auth/api-token-format.js'

const FIELDS: ApiTokenFields = {
  sr: '8cd94fcd-89f6-41b6-9ed6-ee1b1cdcb4f0',
  sig: 'ocsk_ddnFKOeS0tA14Mjsup0GW9R_hIpaPFzmMYitDzEHv0Yn-afG6',
  skn: 'first-admin',
  se: 1827437266461,
}
const VALUE = formatApiToken(FIELDS)
const PARAMETERS = VALUE.slice('SharedAccessSignature '.length)

/** The `name=value` pairs of the canonical parameters, in IoT Central's order. */
const pairs = (): string[] => PARAMETERS.split('&')

describe('formatApiToken', () => {
  it('writes the token exactly as IoT Central does: scheme, then sr, sig, skn, se', () => {
    assert.equal(
      VALUE,
      'SharedAccessSignature sr=8cd94fcd-89f6-41b6-9ed6-ee1b1cdcb4f0' +
        '&sig=ocsk_ddnFKOeS0tA14Mjsup0GW9R_hIpaPFzmMYitDzEHv0Yn-afG6' +
        '&skn=first-admin&se=1827437266461',
    )
  })

  it('percent-encodes characters that would break the field syntax', () => {
    const value = formatApiToken({ sr: 'a b', sig: 'x&y=z', skn: 'id%', se: 1 })
    assert.equal(value, 'SharedAccessSignature sr=a%20b&sig=x%26y%3Dz&skn=id%25&se=1')
    assert.ok(!value.slice('SharedAccessSignature '.length).includes(' '))
  })
})

describe('parseApiTokenParameters', () => {
  it('reads back what formatApiToken wrote', () => {
    assert.deepEqual(parseApiTokenParameters(PARAMETERS), FIELDS)
  })

  it('round-trips values that need percent-encoding', () => {
    const fields: ApiTokenFields = { sr: 'a b/c', sig: 'x&y=z+%', skn: 'é~id', se: 0 }
    const parameters = formatApiToken(fields).slice('SharedAccessSignature '.length)
    assert.deepEqual(parseApiTokenParameters(parameters), fields)
  })

  it('accepts the fields in any order', () => {
    const [a, b, c, d] = pairs() as [string, string, string, string]
    const orders = [
      [d, c, b, a],
      [b, a, d, c],
      [c, d, a, b],
      [a, c, b, d],
      [d, a, c, b],
    ]
    for (const order of orders) {
      assert.deepEqual(parseApiTokenParameters(order.join('&')), FIELDS, order.join('&'))
    }
  })

  it('answers null for each missing field', () => {
    for (const name of ['sr', 'sig', 'skn', 'se']) {
      const parameters = pairs()
        .filter((p) => !p.startsWith(`${name}=`))
        .join('&')
      assert.equal(parseApiTokenParameters(parameters), null, `without ${name}`)
    }
  })

  it('answers null for each empty field', () => {
    for (const name of ['sr', 'sig', 'skn', 'se']) {
      const parameters = pairs()
        .map((p) => (p.startsWith(`${name}=`) ? `${name}=` : p))
        .join('&')
      assert.equal(parseApiTokenParameters(parameters), null, `empty ${name}`)
    }
  })

  it('answers null for each duplicated field, even with the same value', () => {
    for (const pair of pairs()) {
      assert.equal(parseApiTokenParameters(`${PARAMETERS}&${pair}`), null, `twice ${pair}`)
      const name = pair.split('=')[0]!
      assert.equal(
        parseApiTokenParameters(`${PARAMETERS}&${name}=other`),
        null,
        `${name} with two values`,
      )
    }
  })

  it('answers null for an unknown field, wherever it is', () => {
    for (const extra of [
      'x=1',
      'SR=abc',
      'sig2=abc',
      'skn =first-admin',
      'api-version=2022-07-31',
    ]) {
      assert.equal(parseApiTokenParameters(`${PARAMETERS}&${extra}`), null, `${extra} at the end`)
      assert.equal(parseApiTokenParameters(`${extra}&${PARAMETERS}`), null, `${extra} at the start`)
    }
  })

  it('answers null for a pair without a name or without "="', () => {
    for (const broken of ['=1', 'sr', '&', '']) {
      assert.equal(parseApiTokenParameters(`${PARAMETERS}&${broken}`), null, JSON.stringify(broken))
    }
    assert.equal(parseApiTokenParameters(''), null)
    assert.equal(parseApiTokenParameters(PARAMETERS.replace('&se=', '&se')), null)
  })

  it('answers null for bad percent-encoding in any field', () => {
    for (const name of ['sr', 'sig', 'skn']) {
      for (const bad of ['%', '%zz', 'abc%e9', '%E0%A4%A']) {
        const parameters = pairs()
          .map((p) => (p.startsWith(`${name}=`) ? `${name}=${bad}` : p))
          .join('&')
        assert.equal(parseApiTokenParameters(parameters), null, `${name}=${bad}`)
      }
    }
  })

  it('answers null for a non-numeric or oversized se', () => {
    for (const se of [
      'abc',
      '1e12',
      '-1',
      '1.5',
      '0x10',
      ' 1',
      '1 ',
      '%31x',
      '12345678901234567',
      'Infinity',
    ]) {
      const parameters = PARAMETERS.replace(/se=\d+$/, `se=${se}`)
      assert.equal(parseApiTokenParameters(parameters), null, `se=${se}`)
    }
  })

  it('reads se as a number of milliseconds, including a percent-encoded digit', () => {
    assert.equal(parseApiTokenParameters(PARAMETERS.replace(/se=\d+$/, 'se=0'))?.se, 0)
    assert.equal(parseApiTokenParameters(PARAMETERS.replace(/se=\d+$/, 'se=%31%32'))?.se, 12)
  })

  it('does not read a second token glued on with a space', () => {
    assert.equal(parseApiTokenParameters(`${PARAMETERS} ${PARAMETERS}`), null)
  })
})
