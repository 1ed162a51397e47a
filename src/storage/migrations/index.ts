import type { Migration } from 'kysely/migration'
import { initial } from './202611280001-initial.js'
import { embeddedIdp } from './202611280002-embedded-idp.js'
import { organizations } from './202611280003-organizations.js'
import { bindEmailUsers } from './202611280004-bind-email-users.js'
import { servicePrincipalCredentials } from './202611280005-service-principal-credentials.js'
import { deviceGroups } from './202612020001-device-groups.js'
import { provisioning } from './202612020002-provisioning.js'
import { deviceRelationships } from './202612020003-device-relationships.js'
import { fileUploads } from './202612020004-file-uploads.js'
import { jobs } from './202612020005-jobs.js'
import { deviceData } from './202612020006-device-data.js'
import { storedKeys } from './202612020007-stored-keys.js'
import { dpsOperations } from './202612030001-dps-operations.js'
import { tokenLifecycle } from './202612030005-token-lifecycle.js'
import { auditLog } from './202612030006-audit-log.js'
import { telemetrySeries } from './202612030002-telemetry-series.js'
import { deviceConnections } from './202612030003-device-connections.js'
import { rateLimits } from './202612030007-rate-limits.js'

/** Every migration, by sortable name. New migrations are appended here. */
export function migrationsFor(dialect: 'sqlite' | 'postgres'): Record<string, Migration> {
  return {
    '202611280001-initial': initial(dialect),
    '202611280002-embedded-idp': embeddedIdp(dialect),
    '202611280003-organizations': organizations(dialect),
    '202611280004-bind-email-users': bindEmailUsers,
    '202611280005-service-principal-credentials': servicePrincipalCredentials(dialect),
    '202612020001-device-groups': deviceGroups(dialect),
    '202612020002-provisioning': provisioning(dialect),
    '202612020003-device-relationships': deviceRelationships(dialect),
    '202612020004-file-uploads': fileUploads(dialect),
    '202612020005-jobs': jobs(dialect),
    '202612020006-device-data': deviceData(dialect),
    '202612020007-stored-keys': storedKeys(),
    '202612030001-dps-operations': dpsOperations(dialect),
    '202612030005-token-lifecycle': tokenLifecycle(dialect),
    '202612030006-audit-log': auditLog(dialect),
    '202612030002-telemetry-series': telemetrySeries(dialect),
    '202612030003-device-connections': deviceConnections(dialect),
    '202612030007-rate-limits': rateLimits(dialect),
  }
}
