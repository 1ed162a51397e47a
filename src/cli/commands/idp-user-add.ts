import type { CommandContext } from '../command.js'
import { UsageError } from '../output.js'
import { withIdp } from '../idp-session.js'
import { passwordInput } from '../password-input.js'

export async function idpUserAdd({ args, flags, switches, env, output }: CommandContext) {
  const [email] = args
  if (!email || args.length > 1) throw new UsageError('idp user add takes exactly one email')
  const { password, generated } = await passwordInput(flags.password)
  return withIdp(flags, env, output, async (idp) => {
    const account = await idp.accounts.add(email, password, flags.name)
    const shown = generated ? { password } : {}
    if (switches.has('json')) {
      output.out(JSON.stringify({ ...account, tenant: idp.installation.tenantId, ...shown }))
      return 0
    }
    output.err(`Added ${account.email}.`)
    output.out(`objectId: ${account.objectId}`)
    output.out(`tenant:   ${idp.installation.tenantId}`)
    if (generated) {
      output.err('Copy the generated password now: it is shown only once.')
      output.out(`password: ${password}`)
    }
    return 0
  })
}
