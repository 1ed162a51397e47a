import type { CommandContext } from '../command.js'
import { UsageError } from '../output.js'
import { withIdp } from '../idp-session.js'

export async function idpSpDelete({ args, flags, env, output }: CommandContext) {
  const [which] = args
  if (!which || args.length > 1)
    throw new UsageError('idp sp delete takes exactly one app id or name')
  return withIdp(flags, env, output, async (idp) => {
    const deleted = await idp.servicePrincipals.delete(which)
    output.err(
      `Deleted service principal '${deleted.displayName}' (${deleted.appId}); tokens it already holds expire within the hour.`,
    )
    return 0
  })
}
