import type { CommandContext } from '../command.js'
import { UsageError } from '../output.js'
import { withIdp } from '../idp-session.js'

export async function idpSpCreate({ args, flags, switches, env, output }: CommandContext) {
  const [name] = args
  if (!name || args.length > 1) throw new UsageError('idp sp create takes exactly one name')
  return withIdp(flags, env, async (idp) => {
    const created = await idp.servicePrincipals.create(name)
    const { appId, displayName, objectId, password, tenant } = created
    if (switches.has('json')) {
      output.out(JSON.stringify({ appId, displayName, objectId, password, tenant }))
      return 0
    }
    output.err(
      `Created service principal '${displayName}'. Copy its password now: it is shown only once.`,
    )
    output.out(`appId:    ${appId}`)
    output.out(`password: ${password}`)
    output.out(`tenant:   ${tenant}`)
    output.out(`objectId: ${objectId}`)
    return 0
  })
}
