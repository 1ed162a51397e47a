import { parseRoleSpecs } from '../role-specs.js'
import { UsageError } from '../output.js'
import { withServices } from '../store-session.js'
import type { CommandContext } from '../command.js'

/**
 * Makes (or replaces) an email user of the application directly in the store, as the operator:
 * with `opencentral idp user add`, this is how the first Administrator is made without a browser.
 */
export async function userAdd({ args, flags, lists, switches, env, output }: CommandContext) {
  const [userId] = args
  if (!userId || args.length > 1) throw new UsageError('user add takes exactly one user id')
  if (!flags.email) throw new UsageError('user add needs --email <address>')
  const roleNames = lists.role ?? []
  if (roleNames.length === 0) throw new UsageError('user add needs --role <role id or name>')
  return withServices(flags, env, output, async (services) => {
    const roles = await parseRoleSpecs(services, roleNames)
    const user = await services.users.put(null, userId, {
      type: 'email',
      email: flags.email,
      roles,
    })
    if (switches.has('json')) output.out(JSON.stringify(user))
    else output.err(`User '${user.id}' (${flags.email}) now has ${roleNames.join(', ')}.`)
    return 0
  })
}
