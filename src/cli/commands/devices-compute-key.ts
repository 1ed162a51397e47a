import { deriveDeviceKey, symmetricKeyProblem } from '../../provisioning/keys.js'
import type { CommandContext } from '../command.js'
import { UsageError } from '../output.js'
import { withServices } from '../store-session.js'
import { secretInput } from '../secret-input.js'

/**
 * `devices compute-key`: a device's key under a symmetric-key enrollment group, as
 * `az iot central device compute-device-key` computes it. Prints only the key on stdout.
 */
export async function devicesComputeKey({ args, flags, env, output }: CommandContext) {
  if (args.length > 0) throw new UsageError('devices compute-key takes no positional arguments')
  const deviceId = flags['device-id']
  const primaryKey = await secretInput(flags['primary-key'], undefined)
  const group = flags.group
  if (!deviceId) throw new UsageError('--device-id is required')
  if ((primaryKey === undefined) === (group === undefined)) {
    throw new UsageError('give either --primary-key <group key> or --group <enrollment group id>')
  }
  if (primaryKey !== undefined) {
    const problem = symmetricKeyProblem(primaryKey)
    if (problem) throw new UsageError(`--primary-key ${problem}`)
    output.out(deriveDeviceKey(primaryKey, deviceId))
    return 0
  }
  return withServices(flags, env, output, async (services) => {
    const keys = await services.enrollmentGroups.symmetricKeys(group as string)
    output.out(deriveDeviceKey(keys.primaryKey, deviceId))
    return 0
  })
}
