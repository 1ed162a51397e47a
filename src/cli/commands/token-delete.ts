import type { CommandContext } from '../command.js'
import { UsageError } from '../output.js'
import { withServices } from '../store-session.js'

export async function tokenDelete({ args, flags, env, output }: CommandContext) {
  const [tokenId] = args
  if (!tokenId || args.length > 1) throw new UsageError('token delete takes exactly one token id')
  return withServices(flags, env, output, async (services) => {
    await services.apiTokens.delete(null, tokenId)
    output.err(`Deleted API token '${tokenId}'.`)
    return 0
  })
}
