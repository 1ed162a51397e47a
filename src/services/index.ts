import type { Config } from '../config/schema.js'
import { SecretBox } from '../secrets/secret-box.js'
import type { Store } from '../storage/store.js'
import { ApiTokenService } from './api-token.service.js'
import { initializeApplication } from './application.service.js'
import type { Clock } from '../clock.js'
import { CallerService } from './caller.service.js'
import { DeviceGroupService } from './device-group.service.js'
import { DeviceAttestationService } from './device-attestation.service.js'
import { DeviceImportService } from './device-import.service.js'
import { DeviceCommandService } from './device-commands.service.js'
import { NotConnectedDevices } from './device-connections.js'
import { DevicePropertyService } from './device-properties.service.js'
import { DeviceTelemetryService } from './device-telemetry.service.js'
import { DeviceTemplateService } from './device-template.service.js'
import { DeviceService } from './device.service.js'
import { DeviceModelService } from './device-model.service.js'
import { DeviceRelationshipService } from './device-relationship.service.js'
import { EnrollmentGroupService } from './enrollment-group.service.js'
import { FileUploadService } from './file-upload.service.js'
import { JobService } from './job.service.js'
import { jobGroupsOf } from '../jobs/job-groups.js'
import { OrganizationCatalog } from './organization-catalog.js'
import { OrganizationService } from './organization.service.js'
import { ProvisioningService } from './provisioning.service.js'
import { RoleCatalog } from './role-catalog.js'
import { RoleService } from './role.service.js'
import { ScheduledJobService } from './scheduled-job.service.js'
import { UserService } from './user.service.js'
import { DeviceRegistrationService } from '../device-plane/provisioning/registration.service.js'
import { deviceHostNameOf } from '../device-plane/device-host-name.js'

/** Everything the HTTP layer and the CLI call; both go through the same services. */
export interface Services {
  applicationId: string
  /** The roles as they are now, and the resolver every authenticator builds principals with. */
  roles: RoleCatalog
  /** Custom roles: create, change, delete. */
  customRoles: RoleService
  /** The organization tree as it is now, for scoping. */
  organizationCatalog: OrganizationCatalog
  organizations: OrganizationService
  apiTokens: ApiTokenService
  users: UserService
  devices: DeviceService
  /** Bulk import of devices from IoT Central's CSV format (the CLI's). */
  deviceImport: DeviceImportService
  deviceTemplates: DeviceTemplateService
  /** Device properties: cloud properties, desired values, what devices report. */
  deviceProperties: DevicePropertyService
  /** Last known telemetry values. */
  deviceTelemetry: DeviceTelemetryService
  /** Commands run on devices through `deviceCommands.connections` (none connect yet), and their history. */
  deviceCommands: DeviceCommandService
  /** Relationships between gateway and downstream devices. */
  deviceRelationships: DeviceRelationshipService
  /** What a device's template declares (components, modules), read through the device. */
  deviceModels: DeviceModelService
  /** Device groups: a filter over the devices, within an organization. */
  deviceGroups: DeviceGroupService
  callers: CallerService
  /** Jobs, and the runner that carries them out (`jobs.runner`). */
  jobs: JobService
  scheduledJobs: ScheduledJobService
  /** The file upload storage account; `uploadTarget()` gives server code the unsealed settings. */
  fileUploads: FileUploadService
  /** Seals the secrets the store must keep readable (enrollment-group keys, connection strings). */
  secrets: SecretBox
  /** Enrollment groups and their signing certificates (application-wide). */
  enrollmentGroups: EnrollmentGroupService
  /** Devices' own attestations and their credentials, for API callers. */
  deviceAttestations: DeviceAttestationService
  /** The ID scope and device authentication facts for the device plane (no caller checks). */
  provisioning: ProvisioningService
  /** DPS-compatible device registration, for the HTTPS routes and the MQTT endpoint alike. */
  deviceRegistrations: DeviceRegistrationService
}

/** Initializes the application in the store (first start) and wires the services. */
export async function createServices(store: Store, config: Config, clock: Clock): Promise<Services> {
  const applicationId = await initializeApplication(store, clock())
  const roles = new RoleCatalog(store)
  const organizationCatalog = new OrganizationCatalog(store)
  const devices = new DeviceService(store, organizationCatalog, clock)
  const secrets = await SecretBox.forStore(config, store)
  const enrollmentGroups = new EnrollmentGroupService(store, organizationCatalog, secrets, clock)
  const provisioning = new ProvisioningService(store, enrollmentGroups, secrets, clock)
  await provisioning.initialize()
  const deviceGroups = new DeviceGroupService(store, organizationCatalog, clock)
  const deviceProperties = new DevicePropertyService(store, organizationCatalog, clock)
  const jobs = new JobService(store, organizationCatalog, clock)
  jobs.useGroups(jobGroupsOf(deviceGroups))
  jobs.useCloudProperties(deviceProperties)
  return {
    applicationId,
    roles,
    customRoles: new RoleService(store, clock),
    organizationCatalog,
    organizations: new OrganizationService(store, organizationCatalog, clock),
    apiTokens: new ApiTokenService(store, applicationId, roles, organizationCatalog, config, clock),
    users: new UserService(store, roles, organizationCatalog, clock),
    devices,
    deviceImport: new DeviceImportService(store, organizationCatalog, clock),
    deviceTemplates: new DeviceTemplateService(store, organizationCatalog, clock),
    deviceGroups,
    deviceProperties,
    deviceTelemetry: new DeviceTelemetryService(store, organizationCatalog),
    deviceCommands: new DeviceCommandService(store, organizationCatalog, clock, new NotConnectedDevices()),
    deviceRelationships: new DeviceRelationshipService(store, organizationCatalog, clock),
    deviceModels: new DeviceModelService(store, devices),
    fileUploads: new FileUploadService(store, organizationCatalog, secrets, clock),
    callers: new CallerService(organizationCatalog),
    secrets,
    enrollmentGroups,
    deviceAttestations: new DeviceAttestationService(store, organizationCatalog, provisioning, secrets, clock),
    provisioning,
    deviceRegistrations: new DeviceRegistrationService(store, provisioning, clock, once(() => deviceHostNameOf(config))),
    jobs,
    scheduledJobs: new ScheduledJobService(store, organizationCatalog, jobs, clock),
  }
}

/** `make`'s answer, computed on the first call only. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null
  return () => (made ??= { value: make() }).value
}
