import type { Config } from '../config/schema.js'
import type { Store } from '../storage/store.js'
import { ApiTokenService } from './api-token.service.js'
import { initializeApplication } from './application.service.js'
import type { Clock } from '../clock.js'
import { DeviceTemplateService } from './device-template.service.js'
import { DeviceService } from './device.service.js'
import { RoleCatalog } from './role-catalog.js'
import { UserService } from './user.service.js'

/** Everything the HTTP layer and the CLI call; both go through the same services. */
export interface Services {
  applicationId: string
  roles: RoleCatalog
  apiTokens: ApiTokenService
  users: UserService
  devices: DeviceService
  deviceTemplates: DeviceTemplateService
}

/** Initializes the application in the store (first start) and wires the services. */
export async function createServices(store: Store, config: Config, clock: Clock): Promise<Services> {
  const applicationId = await initializeApplication(store, clock())
  const roles = new RoleCatalog(store)
  return {
    applicationId,
    roles,
    apiTokens: new ApiTokenService(store, applicationId, roles, config, clock),
    users: new UserService(store, roles, clock),
    devices: new DeviceService(store, clock),
    deviceTemplates: new DeviceTemplateService(store, clock),
  }
}
