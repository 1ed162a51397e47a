import type { CommandContext } from '../command.js'
import { table } from '../output.js'
import { withServices } from '../store-session.js'

export async function roleList({ flags, switches, env, output }: CommandContext) {
  return withServices(flags, env, output, async (services) => {
    const roles = [...(await services.roles.current()).values()]
    if (switches.has('json')) {
      output.out(
        JSON.stringify(
          roles.map((r) => ({ id: r.id, displayName: r.displayName, type: r.type, permissions: [...r.permissions].sort() })),
        ),
      )
      return 0
    }
    table(
      output,
      ['ID', 'NAME', 'TYPE', 'PERMISSIONS'],
      roles.map((r) => [r.id, r.displayName, r.type, String(r.permissions.size)]),
    )
    return 0
  })
}
