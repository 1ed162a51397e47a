import { systemClock } from '../../clock.js'
import { cliConfig } from '../cli-config.js'
import { createServices } from '../../services/index.js'
import { StoreNotFound } from '../../storage/open-store.js'
import { openCliStore } from '../cli-store.js'
import type { CommandContext } from '../command.js'

/** Makes a new store where the options point (the one command besides `start` that may). */
export async function init({ flags, env, output }: CommandContext): Promise<number> {
  const config = cliConfig(flags, env)
  let created = false
  const store = await openCliStore(config, output, { schema: 'check', create: false }).catch(
    async (error: unknown) => {
      if (!((error as Error).cause instanceof StoreNotFound)) throw error
      created = true
      return openCliStore(config, output, { schema: 'migrate', create: true })
    },
  )
  try {
    const { applicationId } = await createServices(store, config, systemClock)
    output.out(
      created
        ? `Created the store ${store.description} (application ${applicationId}).`
        : `The store ${store.description} exists already (application ${applicationId}); nothing was changed.`,
    )
    return 0
  } finally {
    await store.close()
  }
}
