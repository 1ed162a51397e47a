import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fromQuery, toQuery, type Condition } from '../../ui/src/pages/device-query.js'

describe('device group filter: conditions and query text', () => {
  it('writes conditions as IoT Central query text', () => {
    assert.equal(toQuery([]), 'SELECT * FROM devices')
    assert.equal(
      toQuery([
        { field: 'template', operator: '=', value: 'dtmi:modelDefinition:dtdlv2' },
        { field: 'provisioned', operator: '=', value: 'true' },
      ]),
      'SELECT * FROM devices WHERE $template = "dtmi:modelDefinition:dtdlv2" AND $provisioned = true',
    )
    assert.equal(
      toQuery([{ field: 'displayName', operator: '!=', value: 'say "hi" \\o/' }]),
      'SELECT * FROM devices WHERE $displayName != "say \\"hi\\" \\\\o/"',
    )
  })

  it('reads back what it writes, and the example of the API reference', () => {
    const conditions: Condition[] = [
      { field: 'template', operator: '=', value: 'dtmi:contoso:pump;1' },
      { field: 'simulated', operator: '!=', value: 'false' },
      { field: 'organization', operator: '=', value: 'plant-a' },
      { field: 'id', operator: '=', value: 'a "quoted" id' },
      { field: 'displayName', operator: 'startsWith', value: 'Pump' },
      { field: 'template', operator: 'contains', value: 'contoso' },
    ]
    assert.deepEqual(fromQuery(toQuery(conditions)), conditions)
    assert.deepEqual(
      fromQuery(
        'SELECT * FROM devices WHERE $template = "dtmi:modelDefinition:dtdlv2" AND $provisioned = true',
      ),
      [
        { field: 'template', operator: '=', value: 'dtmi:modelDefinition:dtdlv2' },
        { field: 'provisioned', operator: '=', value: 'true' },
      ],
    )
    assert.deepEqual(fromQuery('select * from devices'), [])
    assert.equal(
      toQuery([{ field: 'id', operator: 'endsWith', value: '-1' }]),
      'SELECT * FROM devices WHERE ENDSWITH($id, "-1")',
    )
    assert.deepEqual(fromQuery("SELECT * FROM devices WHERE contains( $displayName , 'a' )"), [
      { field: 'displayName', operator: 'contains', value: 'a' },
    ])
  })

  it('leaves to the text editor what simple conditions cannot say', () => {
    for (const query of [
      'SELECT * FROM devices WHERE $template = "a" OR $provisioned = true',
      'SELECT * FROM devices WHERE ($provisioned = true)',
      'SELECT * FROM devices WHERE $provisioned = "yes"',
      'SELECT * FROM devices WHERE $template = true',
      'SELECT * FROM devices WHERE $firmware = "1.0"',
      'SELECT * FROM devices WHERE CONTAINS($organizations, "plant")',
      'SELECT * FROM devices WHERE NOT CONTAINS($id, "x")',
      'SELECT * FROM devices WHERE $provisioned = true AND',
      'SELECT $id FROM devices',
      'not a query',
    ]) {
      assert.equal(fromQuery(query), null, query)
    }
  })
})
