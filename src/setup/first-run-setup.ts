import { randomUUID } from 'node:crypto'
import { ROLE_IDS } from '../authz/builtin-roles.js'
import type { Clock } from '../clock.js'
import type { AccountService } from '../idp/accounts.js'
import type { UserService } from '../services/user.service.js'
import type { Store } from '../storage/store.js'
import { administratorCanSignIn } from './administrator-check.js'
import { SetupCodes } from './setup-codes.js'

export const SETUP_PATH = '/setup'

/** The first run: a one-time link for the first person, while no Administrator can sign in. */
export class FirstRunSetup {
  readonly codes: SetupCodes

  constructor(
    private readonly deps: {
      store: Store
      tenantId: string
      accounts: AccountService
      users: UserService
      publicUrl: string
      clock: Clock
    },
  ) {
    this.codes = new SetupCodes(deps.clock)
  }

  needed(): Promise<boolean> {
    return administratorCanSignIn(this.deps.store, this.deps.tenantId).then((can) => !can)
  }

  /** A new setup link when setup is needed, else null. */
  async link(): Promise<string | null> {
    if (!(await this.needed())) return null
    return `${this.deps.publicUrl}${SETUP_PATH}/${this.codes.issue()}`
  }

  /**
   * Creates the person's account and makes them an Administrator email user (as the operator:
   * caller null). The account is removed again if the user cannot be made.
   */
  async complete(input: { email: string; password: string; name?: string }): Promise<void> {
    const account = await this.deps.accounts.add(input.email, input.password, input.name)
    try {
      await this.deps.users.put(null, randomUUID(), {
        type: 'email',
        email: account.email,
        roles: [{ role: ROLE_IDS.administrator }],
      })
    } catch (error) {
      await this.deps.accounts.delete(account.email)
      throw error
    }
  }
}
