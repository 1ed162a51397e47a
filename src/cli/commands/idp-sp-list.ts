import type { CommandContext } from '../command.js'
import { table } from '../output.js'
import { withIdp } from '../idp-session.js'

import { printData } from '../data-output.js'

export async function idpSpList(context: CommandContext) {
  const { flags, env, output } = context
  return withIdp(flags, env, output, async (idp) => {
    const principals = await idp.servicePrincipals.list()
    printData(context, principals, () => table(
      output,
      ['NAME', 'APP ID', 'OBJECT ID', 'CREATED'],
      principals.map((p) => [p.displayName, p.appId, p.objectId, p.createdAt]),
    ))
    return 0
  })
}
