import type { Migration } from 'kysely'
import { initial } from './202611280001-initial.js'
import { embeddedIdp } from './202611280002-embedded-idp.js'
import { organizations } from './202611280003-organizations.js'
import { bindEmailUsers } from './202611280004-bind-email-users.js'
import { servicePrincipalCredentials } from './202611280005-service-principal-credentials.js'

/** Every migration, by sortable name. New migrations are appended here. */
export function migrationsFor(dialect: 'sqlite' | 'postgres'): Record<string, Migration> {
  return {
    '202611280001-initial': initial(dialect),
    '202611280002-embedded-idp': embeddedIdp(dialect),
    '202611280003-organizations': organizations(dialect),
    '202611280004-bind-email-users': bindEmailUsers,
    '202611280005-service-principal-credentials': servicePrincipalCredentials(dialect),
  }
}
