import type { Config } from '../config/schema.js'
import { openStore, StoreNotFound, type OpenOptions } from '../storage/open-store.js'
import type { Store } from '../storage/store.js'
import type { Output } from './output.js'

/** How to name the store a command works on; said whenever a command cannot find it. */
const HOW_TO_NAME_A_STORE =
  "Name the server's store with --data <folder> or OPENCENTRAL_DATA (SQLite), or --database <postgres-url> or OPENCENTRAL_DATABASE_URL (PostgreSQL), as the server was started with, or put \"dataDir\" or \"databaseUrl\" in ./opencentral.json (or the file named by --config <file> or OPENCENTRAL_CONFIG); to make a new store there, run 'opencentral init' with the same option."

/**
 * Opens the store a command works on, saying which one on stderr (stdout stays the command's
 * answer). Unless told otherwise, a store that does not exist is not made, and a store whose
 * schema differs from this version's is refused: only `start`, `init` and `migrate` change it.
 */
export async function openCliStore(
  config: Config,
  output: Output,
  options: OpenOptions = { schema: 'check', create: false },
): Promise<Store> {
  let store: Store
  try {
    store = await openStore(config, options)
  } catch (error) {
    if (!(error instanceof StoreNotFound)) throw error
    const relative = config.databaseUrl
      ? ''
      : ` (--data ${config.dataDir} is read from the current folder, ${process.cwd()})`
    throw new Error(`${error.message}${relative}. ${HOW_TO_NAME_A_STORE}`, { cause: error })
  }
  output.err(`Store: ${store.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${store.description}`)
  return store
}
