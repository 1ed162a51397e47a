// The server's own capability model reader, bundled at build time: the device page reads a
// template's components, properties, telemetry and commands exactly as the API resolves them.
export {
  readTemplateModel,
  type Capability as ModelCapability,
  type InterfaceModel,
} from '../../../src/device-models/capability-model.js'
