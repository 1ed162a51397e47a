import type { CommandContext } from '../command.js'
import { table } from '../output.js'
import { withIdp } from '../idp-session.js'

export async function idpSpList({ flags, switches, env, output }: CommandContext) {
  return withIdp(flags, env, output, async (idp) => {
    const principals = await idp.servicePrincipals.list()
    if (switches.has('json')) {
      output.out(JSON.stringify(principals))
      return 0
    }
    table(
      output,
      ['NAME', 'APP ID', 'OBJECT ID', 'CREATED'],
      principals.map((p) => [p.displayName, p.appId, p.objectId, p.createdAt]),
    )
    return 0
  })
}
