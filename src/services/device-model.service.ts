import type { Principal } from '../auth/principal.js'
import { moduleNamed, readTemplateModel, type InterfaceModel } from '../device-models/capability-model.js'
import { notFound } from '../errors/app-error.js'
import { deviceTemplateRepository } from '../storage/repositories/device-template.repository.js'
import type { Store } from '../storage/store.js'
import type { DeviceService, DeviceView } from './device.service.js'

/** A component as IoT Central lists it. */
export interface ComponentItem {
  '@id': string
  '@type': ['Component']
  name: string
  displayName?: unknown
}

/** An IoT Edge module as IoT Central lists it. */
export interface ModuleItem {
  '@id': string
  '@type': ['Relationship', 'SemanticType/EdgeModule']
  name: string
  displayName?: unknown
}

/**
 * What a device's template declares, read through the device (so `devices.read` at the device
 * decides): its components, IoT Edge modules and the modules' components. A device without a
 * template has none.
 */
export class DeviceModelService {
  constructor(
    private readonly store: Store,
    private readonly devices: DeviceService,
  ) {}

  /** The device (404 unless within the caller's reach for `devices.read`) and its template's model. */
  async modelOf(
    caller: Principal | null,
    deviceId: string,
  ): Promise<{ device: DeviceView; model: InterfaceModel | null }> {
    const device = await this.devices.get(caller, deviceId)
    if (device.template === undefined) return { device, model: null }
    const template = await deviceTemplateRepository.get(this.store.db, device.template)
    return { device, model: template ? readTemplateModel(JSON.parse(template.document)) : null }
  }

  async components(caller: Principal | null, deviceId: string): Promise<ComponentItem[]> {
    const { model } = await this.modelOf(caller, deviceId)
    return model ? componentItems(model) : []
  }

  async modules(caller: Principal | null, deviceId: string): Promise<ModuleItem[]> {
    const { model } = await this.modelOf(caller, deviceId)
    return (model?.modules ?? []).map((module) => ({
      '@id': module['@id'],
      '@type': ['Relationship', 'SemanticType/EdgeModule'],
      name: module.name,
      ...(module.displayName !== undefined ? { displayName: module.displayName } : {}),
    }))
  }

  async moduleComponents(
    caller: Principal | null,
    deviceId: string,
    moduleName: string,
  ): Promise<ComponentItem[]> {
    const { model } = await this.modelOf(caller, deviceId)
    const module = model ? moduleNamed(model, moduleName) : undefined
    if (!module) throw notFound(`The module '${moduleName}' of the device '${deviceId}'`)
    return componentItems(module.interface)
  }
}

function componentItems(model: InterfaceModel): ComponentItem[] {
  return model.components.map((component) => ({
    '@id': component['@id'],
    '@type': ['Component'],
    name: component.name,
    ...(component.displayName !== undefined ? { displayName: component.displayName } : {}),
  }))
}
