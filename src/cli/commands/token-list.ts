import type { CommandContext } from '../command.js'
import { table } from '../output.js'
import { withServices } from '../store-session.js'

export async function tokenList({ flags, switches, env, output }: CommandContext) {
  return withServices(flags, env, output, async (services) => {
    const tokens = await services.apiTokens.list(null)
    if (switches.has('json')) {
      output.out(JSON.stringify(tokens))
      return 0
    }
    const roles = await services.roles.current()
    const now = Date.now()
    table(
      output,
      ['ID', 'ROLES', 'EXPIRY'],
      tokens.map((t) => [
        t.id,
        t.roles.map((r) => roles.get(r.role)?.displayName ?? r.role).join(', '),
        Date.parse(t.expiry) <= now ? `${t.expiry} (expired)` : t.expiringSoon ? `${t.expiry} (expires soon)` : t.expiry,
      ]),
    )
    return 0
  })
}
