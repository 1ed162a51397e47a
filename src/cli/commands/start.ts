import { cliConfig } from '../cli-config.js'
import { startServer } from '../../main.js'
import type { CommandContext } from '../command.js'

export async function start({ flags, lists, env }: CommandContext): Promise<number> {
  const config = cliConfig({ ...flags, ...lists }, env)
  await startServer(config)
  // Keep running: the signal handlers installed by startServer end the process.
  await new Promise<never>(() => {})
  return 0
}
