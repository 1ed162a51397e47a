import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'

/** What `opencentral login` keeps for one server. */
export interface SavedLogin {
  server: string
  /** The resource the access token is for. */
  resource: string
  access_token: string
  refresh_token: string | undefined
  /** Epoch seconds. */
  expires_at: number
}

/** `$OPENCENTRAL_HOME/logins.json`, or `~/.opencentral/logins.json`. */
export function loginFile(env: Record<string, string | undefined>): string {
  const home = env.OPENCENTRAL_HOME || path.join(homedir(), '.opencentral')
  return path.join(home, 'logins.json')
}

async function readAll(file: string): Promise<Record<string, SavedLogin>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, SavedLogin>
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw error
  }
}

export async function readLogin(file: string, server: string): Promise<SavedLogin | undefined> {
  return (await readAll(file))[server]
}

/**
 * Saves the tokens of one server, readable by the user only (0600 in a 0700 folder). Written to a
 * private temporary file and renamed, so the file is never seen half written or with wider rights.
 */
export async function saveLogin(file: string, login: SavedLogin): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  const all = { ...(await readAll(file)), [login.server]: login }
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 })
  await chmod(temporary, 0o600)
  await rename(temporary, file)
}
