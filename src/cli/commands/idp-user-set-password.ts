import type { CommandContext } from '../command.js'
import { UsageError } from '../output.js'
import { withIdp } from '../idp-session.js'
import { passwordInput } from '../password-input.js'

export async function idpUserSetPassword({ args, flags, env, output }: CommandContext) {
  const [email] = args
  if (!email || args.length > 1)
    throw new UsageError('idp user set-password takes exactly one email')
  const { password, generated } = await passwordInput(flags.password)
  return withIdp(flags, env, output, async (idp) => {
    const account = await idp.accounts.setPassword(email, password)
    output.err(`Set a new password for ${account.email} and ended their sessions.`)
    if (generated) {
      output.err('Copy the generated password now: it is shown only once.')
      output.out(password)
    }
    return 0
  })
}
