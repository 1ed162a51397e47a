import type { CommandContext } from '../command.js'
import { table } from '../output.js'
import { withIdp } from '../idp-session.js'

export async function idpUserList({ flags, switches, env, output }: CommandContext) {
  return withIdp(flags, env, output, async (idp) => {
    const accounts = await idp.accounts.list()
    if (switches.has('json')) {
      output.out(JSON.stringify(accounts))
      return 0
    }
    table(
      output,
      ['EMAIL', 'NAME', 'OBJECT ID', 'CREATED'],
      accounts.map((a) => [a.email, a.displayName ?? '', a.objectId, a.createdAt]),
    )
    return 0
  })
}
