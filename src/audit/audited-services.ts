import type { ApiTokenService } from '../services/api-token.service.js'
import type { DeviceGroupService } from '../services/device-group.service.js'
import type { EnrollmentGroupService } from '../services/enrollment-group.service.js'
import type { JobService } from '../services/job.service.js'
import type { OrganizationService } from '../services/organization.service.js'
import type { RoleService } from '../services/role.service.js'
import type { ScheduledJobService } from '../services/scheduled-job.service.js'
import type { UserService } from '../services/user.service.js'
import type { Store } from '../storage/store.js'
import { audited, createOrUpdate } from './audited.js'
import type { AuditTrail } from './audit-trail.js'

type KeyedTable = 'users' | 'roles' | 'organizations' | 'device_groups' | 'scheduled_jobs' | 'enrollment_groups'

/** Whether the id exists: tells a create from a replace before a PUT runs. */
const existsIn = (store: Store, table: KeyedTable) => async (id: string) =>
  (await store.db.selectFrom(table as 'users').select('id').where('id', '=', id).executeTakeFirst()) !== undefined

const certificate = (args: unknown[]) => `${String(args[1])}/${String(args[2])}`

export interface AuditedServices {
  apiTokens: ApiTokenService
  users: UserService
  customRoles: RoleService
  organizations: OrganizationService
  deviceGroups: DeviceGroupService
  jobs: JobService
  scheduledJobs: ScheduledJobService
  enrollmentGroups: EnrollmentGroupService
}

/**
 * Which service methods change what the audit log covers, and the action each records. Every
 * change to tokens, users, roles, organizations, device groups, jobs, scheduled jobs and
 * enrollment groups goes through one of these, whether a route or the CLI asks for it.
 */
export function auditServices(services: AuditedServices, trail: AuditTrail, store: Store): AuditedServices {
  const exists = (table: KeyedTable) => existsIn(store, table)
  return {
    apiTokens: audited(services.apiTokens, trail, {
      create: { action: 'apiToken.create' },
      rotate: { action: 'apiToken.rotate' },
      delete: { action: 'apiToken.delete' },
    }),
    users: audited(services.users, trail, {
      put: { action: createOrUpdate('user', exists('users')) },
      patch: { action: 'user.update' },
      delete: { action: 'user.delete' },
    }),
    customRoles: audited(services.customRoles, trail, {
      put: { action: createOrUpdate('role', exists('roles')) },
      patch: { action: 'role.update' },
      delete: { action: 'role.delete' },
    }),
    organizations: audited(services.organizations, trail, {
      put: { action: createOrUpdate('organization', exists('organizations')) },
      patch: { action: 'organization.update' },
      delete: { action: 'organization.delete' },
    }),
    deviceGroups: audited(services.deviceGroups, trail, {
      put: { action: createOrUpdate('deviceGroup', exists('device_groups')) },
      patch: { action: 'deviceGroup.update' },
      delete: { action: 'deviceGroup.delete' },
    }),
    jobs: audited(services.jobs, trail, {
      create: { action: 'job.create' },
      stop: { action: 'job.stop' },
      resume: { action: 'job.resume' },
      // The new job is the target; it names the job it reruns in its own record.
      rerun: { action: 'job.rerun', target: (args) => String(args[2]) },
    }),
    scheduledJobs: audited(services.scheduledJobs, trail, {
      put: { action: createOrUpdate('scheduledJob', exists('scheduled_jobs')) },
      patch: { action: 'scheduledJob.update' },
      delete: { action: 'scheduledJob.delete' },
    }),
    enrollmentGroups: audited(services.enrollmentGroups, trail, {
      put: { action: createOrUpdate('enrollmentGroup', exists('enrollment_groups')) },
      patch: { action: 'enrollmentGroup.update' },
      delete: { action: 'enrollmentGroup.delete' },
      putCertificate: { action: 'enrollmentGroup.certificate.update', target: certificate },
      deleteCertificate: { action: 'enrollmentGroup.certificate.delete', target: certificate },
      generateVerificationCode: { action: 'enrollmentGroup.certificate.generateVerificationCode', target: certificate },
      verifyCertificate: { action: 'enrollmentGroup.certificate.verify', target: certificate },
    }),
  }
}
