import type { CommandContext } from '../command.js'
import { table } from '../output.js'
import { withServices } from '../store-session.js'

import { printData } from '../data-output.js'

export async function roleList(context: CommandContext) {
  const { flags, env, output } = context
  return withServices(flags, env, output, async (services) => {
    const roles = [...(await services.roles.current()).values()]
    const data = roles.map((r) => ({ id: r.id, displayName: r.displayName, type: r.type, permissions: [...r.permissions].sort() }))
    printData(context, data, () => table(
      output,
      ['ID', 'NAME', 'TYPE', 'PERMISSIONS'],
      roles.map((r) => [r.id, r.displayName, r.type, String(r.permissions.size)]),
    ))
    return 0
  })
}
