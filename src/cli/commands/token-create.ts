import { printData } from '../data-output.js'
import { UsageError, type Output } from '../output.js'
import { expiryIn } from '../relative-expiry.js'
import { parseRoleSpecs } from '../role-specs.js'
import { withServices } from '../store-session.js'
import type { CommandContext } from '../command.js'

export async function tokenCreate(context: CommandContext) {
  const { args, flags, lists, env, output } = context
  const [tokenId] = args
  if (!tokenId || args.length > 1) throw new UsageError('token create takes exactly one token id')
  const roleNames = lists.role ?? []
  if (roleNames.length === 0) throw new UsageError('token create needs --role <role id or name>')
  if (flags.expiry !== undefined && flags['expires-in'] !== undefined) {
    throw new UsageError('token create takes --expiry or --expires-in, not both')
  }
  const expiry = flags['expires-in'] === undefined ? flags.expiry : expiryIn(flags['expires-in'], Date.now())
  return withServices(flags, env, output, async (services) => {
    const roles = await parseRoleSpecs(services, roleNames)
    const created = await services.apiTokens.create(null, tokenId, {
      roles,
      expiry,
      description: flags.description,
    })
    printData(context, created, () => report(output, created))
    return 0
  })
}

function report(
  output: Output,
  created: { id: string; expiry: string; token: string; roles: { role: string }[] },
): void {
  output.err(`Created API token '${created.id}', valid until ${created.expiry}.`)
  output.err('Copy its value now: it is shown only once.')
  output.out(created.token)
}
