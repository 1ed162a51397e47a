import type { Clock } from '../clock.js'
import type { Store } from '../storage/store.js'
import { AccountService } from './accounts.js'
import { ensureInstallation, type Installation } from './installation.js'
import { ServicePrincipalService } from './service-principals.js'

/** What the identity provider and the `opencentral idp` commands share. */
export interface IdpServices {
  installation: Installation
  servicePrincipals: ServicePrincipalService
  accounts: AccountService
}

/** Reads (on first use, makes) the installation's identity and wires the services. */
export async function createIdpServices(store: Store, clock: Clock): Promise<IdpServices> {
  const installation = await ensureInstallation(store)
  return {
    installation,
    servicePrincipals: new ServicePrincipalService(store, installation.tenantId, clock),
    accounts: new AccountService(store, clock),
  }
}
