import { loadConfig } from '../../config/load.js'
import { startServer } from '../../main.js'
import type { CommandContext } from '../command.js'

export async function start({ flags, lists, env }: CommandContext): Promise<number> {
  const config = loadConfig({ flags: { ...flags, ...lists }, env })
  await startServer(config)
  // Keep running: the signal handlers installed by startServer end the process.
  await new Promise<never>(() => {})
  return 0
}
