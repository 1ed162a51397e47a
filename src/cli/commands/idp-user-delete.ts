import type { CommandContext } from '../command.js'
import { UsageError } from '../output.js'
import { withIdp } from '../idp-session.js'

export async function idpUserDelete({ args, flags, env, output }: CommandContext) {
  const [email] = args
  if (!email || args.length > 1) throw new UsageError('idp user delete takes exactly one email')
  return withIdp(flags, env, output, async (idp) => {
    const deleted = await idp.accounts.delete(email)
    output.err(
      `Deleted ${deleted.email} and signed them out; tokens they already hold expire within the hour.`,
    )
    return 0
  })
}
