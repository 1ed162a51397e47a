import { cliConfig } from '../cli-config.js'
import { openCliStore } from '../cli-store.js'
import type { CommandContext } from '../command.js'

/** Brings an existing store's schema up to date with this version. */
export async function migrate({ flags, env, output }: CommandContext): Promise<number> {
  const config = cliConfig(flags, env)
  let applied: string[] = []
  const store = await openCliStore(config, output, {
    schema: 'migrate',
    create: false,
    migrated: (names) => (applied = names),
  })
  await store.close()
  output.out(
    applied.length === 0
      ? 'The store is already up to date.'
      : `Applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}`).join('\n')}`,
  )
  return 0
}
