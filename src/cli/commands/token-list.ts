import type { CommandContext } from '../command.js'
import { table } from '../output.js'
import { withServices } from '../store-session.js'

import { printData } from '../data-output.js'

export async function tokenList(context: CommandContext) {
  const { flags, env, output } = context
  return withServices(flags, env, output, async (services) => {
    const tokens = await services.apiTokens.list(null)
    const roles = await services.roles.current()
    const now = Date.now()
    printData(context, tokens, () => table(
      output,
      ['ID', 'ROLES', 'EXPIRY'],
      tokens.map((t) => [
        t.id,
        t.roles.map((r) => roles.get(r.role)?.displayName ?? r.role).join(', '),
        Date.parse(t.expiry) <= now ? `${t.expiry} (expired)` : t.expiringSoon ? `${t.expiry} (expires soon)` : t.expiry,
      ]),
    ))
    return 0
  })
}
