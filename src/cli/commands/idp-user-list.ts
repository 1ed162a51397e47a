import type { CommandContext } from '../command.js'
import { table } from '../output.js'
import { withIdp } from '../idp-session.js'

import { printData } from '../data-output.js'

export async function idpUserList(context: CommandContext) {
  const { flags, env, output } = context
  return withIdp(flags, env, output, async (idp) => {
    const accounts = await idp.accounts.list()
    printData(context, accounts, () => table(
      output,
      ['EMAIL', 'NAME', 'OBJECT ID', 'CREATED'],
      accounts.map((a) => [a.email, a.displayName ?? '', a.objectId, a.createdAt]),
    ))
    return 0
  })
}
