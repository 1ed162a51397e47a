import pg from 'pg'
import { POSTGRES_ADMIN_URL } from './settings.js'

export interface ScratchDatabase {
  url: string
  drop(): Promise<void>
}

/** Creates the PostgreSQL database `name` for one run; null (and a note) when PostgreSQL is not reachable. */
export async function createScratchDatabase(name: string, skipped: string): Promise<ScratchDatabase | null> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  // The server may end this idle connection (a restart, an administrator): the drop then fails quietly.
  admin.on('error', () => {})
  try {
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
  } catch (error) {
    console.error(`PostgreSQL not reachable (${(error as Error).message}): ${skipped}`)
    await admin.end().catch(() => {})
    return null
  }
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {})
      await admin.end().catch(() => {})
    },
  }
}
