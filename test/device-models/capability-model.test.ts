import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  declarationAllows,
  incompatibilities,
  readCapabilityModel,
  readTemplateModel,
  relationshipDeclarations,
} from '../../src/device-models/capability-model.js'

/** IoT Central's own example (DeviceTemplates_Update): an inline component and a cloud property. */
const EXAMPLE = {
  '@id': 'dtmi:contoso:testCapabilityModel;1',
  '@type': 'Interface',
  contents: [
    {
      '@id': 'dtmi:contoso:testCapabilityModel:settings;1',
      '@type': 'Component',
      displayName: 'Settings',
      name: 'settings',
      schema: {
        '@id': 'dtmi:contoso:settings;1',
        '@type': 'Interface',
        contents: [
          { '@type': 'Telemetry', name: 'testComponentTelemetry', schema: 'double' },
          { '@type': ['Property', 'Initialized'], name: 'threshold', schema: 'double', writable: true },
        ],
      },
    },
    {
      '@type': ['Property', 'Cloud'],
      displayName: 'Online Status',
      name: 'status',
      schema: { '@type': 'Enum', valueSchema: 'integer', enumValues: [{ name: 'online', enumValue: 2 }] },
    },
  ],
}

/** An IoT Edge template: modules by DTMI, declared in the capability model's `schemas`. */
const EDGE = {
  '@id': 'dtmi:contoso:edge;1',
  '@type': 'Interface',
  contents: [
    {
      '@type': ['Relationship', 'EdgeModule'],
      name: 'Environment',
      maxMultiplicity: 1,
      target: ['dtmi:contoso:environment;1'],
    },
    {
      '@id': 'dtmi:contoso:edge:camera;1',
      '@type': ['Relationship', 'SemanticType/EdgeModule'],
      name: 'Camera',
      target: { '@id': 'dtmi:contoso:camera;1', '@type': 'Interface', contents: [] },
    },
    { '@type': ['Relationship', 'GatewayDevice'], name: 'downstream', target: ['dtmi:contoso:sensor;1'] },
  ],
  schemas: [
    {
      '@id': 'dtmi:contoso:environment;1',
      '@type': 'Interface',
      contents: [
        { '@type': 'Component', name: 'interfaceA', displayName: 'InterfaceA', schema: 'dtmi:contoso:a;1' },
        { '@type': 'Command', name: 'reboot', request: { name: 'delay', schema: 'dtmi:contoso:delay;1' } },
      ],
    },
    {
      '@id': 'dtmi:contoso:a;1',
      '@type': 'Interface',
      contents: [{ '@type': 'Property', name: 'mode', schema: 'string', writable: true }],
    },
    { '@id': 'dtmi:contoso:delay;1', '@type': 'Object', fields: [{ name: 'seconds', schema: 'integer' }] },
  ],
}

describe('capability model reader', () => {
  it('reads inline components, their contents and cloud properties', () => {
    const model = readCapabilityModel(EXAMPLE)
    assert.equal(model['@id'], 'dtmi:contoso:testCapabilityModel;1')
    assert.deepEqual(
      model.components.map((c) => [c['@id'], c.name, c.displayName]),
      [['dtmi:contoso:testCapabilityModel:settings;1', 'settings', 'Settings']],
    )
    const settings = model.components[0]!.interface
    assert.deepEqual(settings.telemetry.map((t) => [t.name, t.schema]), [['testComponentTelemetry', 'double']])
    assert.deepEqual(settings.properties.map((p) => [p.name, p.writable, p.cloud]), [['threshold', true, false]])
    assert.deepEqual(model.properties.map((p) => [p.name, p.cloud, p.writable]), [['status', true, false]])
  })

  it('reads IoT Edge modules whose models are named by DTMI or inline, and their components', () => {
    const model = readCapabilityModel(EDGE)
    assert.deepEqual(
      model.modules.map((m) => [m.name, m['@id']]),
      [
        ['Environment', 'dtmi:contoso:edge:Environment;1'],
        ['Camera', 'dtmi:contoso:edge:camera;1'],
      ],
    )
    const environment = model.modules[0]!.interface
    assert.deepEqual(environment.components.map((c) => [c.name, c.displayName]), [['interfaceA', 'InterfaceA']])
    assert.deepEqual(environment.components[0]!.interface.properties.map((p) => p.name), ['mode'])
    assert.deepEqual(environment.commands[0]!.request, {
      '@id': 'dtmi:contoso:delay;1',
      '@type': 'Object',
      fields: [{ name: 'seconds', schema: 'integer' }],
    })
    assert.deepEqual(model.relationships.map((r) => [r.name, r.targets]), [['downstream', ['dtmi:contoso:sensor;1']]])
  })

  it('follows extends, survives cycles and unknown references, and reads a whole template document', () => {
    const template = {
      capabilityModel: {
        '@id': 'dtmi:x:root;1',
        '@type': 'Interface',
        extends: 'dtmi:x:base;1',
        contents: [{ '@type': 'Component', name: 'loop', schema: 'dtmi:x:root;1' }, { '@type': 'Component', name: 'gone', schema: 'dtmi:x:nowhere;1' }],
      },
      extra: { '@id': 'dtmi:x:base;1', '@type': 'Interface', contents: [{ '@type': 'Telemetry', name: 't', schema: 'double' }] },
    }
    const model = readTemplateModel(template)
    assert.deepEqual(model.telemetry.map((t) => t.name), ['t'])
    assert.deepEqual(model.components.map((c) => c.name), ['loop', 'gone'])
    assert.deepEqual(model.components[1]!.interface.properties, [])
    assert.deepEqual(readTemplateModel(null).components, [])
    assert.deepEqual(readCapabilityModel({ contents: 'nonsense' }).properties, [])
  })

  it('finds gateway relationships at the root and in components, and what they allow', () => {
    const model = readCapabilityModel({
      '@id': 'dtmi:x:gw;1',
      '@type': 'Interface',
      contents: [
        { '@type': 'Relationship', name: 'any' },
        {
          '@type': 'Component',
          name: 'c',
          schema: { '@type': 'Interface', contents: [{ '@type': 'Relationship', name: 'only', target: 'dtmi:x:s;1' }] },
        },
      ],
    })
    const declarations = relationshipDeclarations(model)
    assert.deepEqual(declarations.map((d) => d.name), ['any', 'only'])
    assert.equal(declarationAllows(declarations[0]!, ['dtmi:x:other;1']), true)
    assert.equal(declarationAllows(declarations[1]!, ['dtmi:x:other;1']), false)
    assert.equal(declarationAllows(declarations[1]!, ['dtmi:x:t;1', 'dtmi:x:s;1']), true)
  })

  it('calls additions and cosmetic changes compatible', () => {
    const after = structuredClone(EXAMPLE) as any
    after.displayName = 'Renamed'
    after.contents[1].displayName = 'Status'
    after.contents[1].schema.enumValues[0].displayName = 'On line'
    after.contents.push({ '@type': 'Telemetry', name: 'added', schema: 'double' })
    after.contents[0].schema.contents.push({ '@type': 'Command', name: 'added' })
    assert.deepEqual(incompatibilities(readCapabilityModel(EXAMPLE), readCapabilityModel(after)), [])
  })

  it('names what breaks: removals and schema changes, nested in components and modules', () => {
    const after = structuredClone(EXAMPLE) as any
    after.contents.pop()
    after.contents[0].schema.contents[0].schema = 'float'
    after.contents[0].schema.contents[1].writable = false
    assert.deepEqual(incompatibilities(readCapabilityModel(EXAMPLE), readCapabilityModel(after)), [
      "the cloud property 'status' was removed",
      "the property 'settings/threshold' changed whether it is writable",
      "the telemetry 'settings/testComponentTelemetry' changed its schema",
    ])
    const edge = structuredClone(EDGE) as any
    edge.schemas[2].fields[0].schema = 'string'
    edge.contents.splice(1, 1)
    edge.contents[1].target = ['dtmi:contoso:other;1']
    assert.deepEqual(incompatibilities(readCapabilityModel(EDGE), readCapabilityModel(edge)), [
      "the command 'Environment/reboot' changed its request schema",
      "the module 'Camera' was removed",
      "the relationship 'downstream' narrowed its targets",
    ])
  })
})
