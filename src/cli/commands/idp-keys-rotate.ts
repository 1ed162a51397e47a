import type { CommandContext } from '../command.js'
import { withIdp } from '../idp-session.js'
import { rotateSigningKeys } from '../../idp/signing-keys.js'

export async function idpKeysRotate({ flags, switches, env, output }: CommandContext) {
  return withIdp(flags, env, output, async (_idp, store) => {
    const rotated = await rotateSigningKeys(store, Math.floor(Date.now() / 1000))
    const verifyUntil = new Date(rotated.verifyUntil * 1000).toISOString()
    if (switches.has('json')) {
      output.out(JSON.stringify({ kid: rotated.kid, retired: rotated.retired, verifyUntil }))
      return 0
    }
    output.err(
      rotated.retired.length > 0
        ? `New signing key ${rotated.kid}; ${rotated.retired.join(', ')} verifies tokens until ${verifyUntil}, then is dropped.`
        : `New signing key ${rotated.kid}.`,
    )
    output.out(rotated.kid)
    return 0
  })
}
