import SqliteDatabase from 'better-sqlite3'
import { existsSync, renameSync, rmSync } from 'node:fs'
import path from 'node:path'
import { cliConfig } from '../cli-config.js'
import { SECRET_KEY_FILE } from '../../secrets/secret-box.js'
import { SQLITE_FILE_NAME } from '../../storage/dialects/sqlite.js'
import type { CommandContext } from '../command.js'
import { UsageError } from '../output.js'

/**
 * `backup <file>`: a consistent copy of the embedded SQLite store while servers keep running,
 * through SQLite's online backup API. A plain `cp` of the database file misses every change
 * still in the write-ahead log (and may catch a page mid-write), so it is not a backup.
 */
export async function backup({ args, flags, env, switches, output }: CommandContext) {
  if (args.length !== 1) throw new UsageError('backup takes one argument: the file to write')
  const config = cliConfig(flags, env)
  if (config.databaseUrl !== undefined) {
    throw new UsageError(
      'backup copies the embedded SQLite store; for PostgreSQL use its own tools (pg_dump, or pg_basebackup for a whole server)',
    )
  }
  const source = path.resolve(config.dataDir, SQLITE_FILE_NAME)
  if (!existsSync(source)) {
    output.err(`no store at ${source}: point at the right one with --data or OPENCENTRAL_DATA`)
    return 1
  }
  const target = path.resolve(args[0] as string)
  if (existsSync(target) && !switches.has('force')) {
    output.err(`${target} exists: choose another file or pass --force to replace it`)
    return 1
  }

  // Written beside the target and renamed once checked: the target is never a half-made copy.
  const partial = `${target}.partial-${process.pid}`
  const database = new SqliteDatabase(source, { readonly: true, fileMustExist: true })
  try {
    // The busy timeout lets the copy wait for a writer instead of failing at once.
    database.pragma('busy_timeout = 5000')
    const { totalPages } = await database.backup(partial)
    const copy = new SqliteDatabase(partial, { readonly: true })
    try {
      const check = copy.pragma('integrity_check', { simple: true })
      if (check !== 'ok') {
        output.err(`the copy failed its integrity check (${String(check)}); ${target} was not written`)
        return 1
      }
    } finally {
      copy.close()
    }
    renameSync(partial, target)
    output.out(`backed up ${source} to ${target} (${totalPages} pages, integrity ok)`)
  } finally {
    database.close()
    rmSync(partial, { force: true })
  }
  const keyFile = path.resolve(config.dataDir, SECRET_KEY_FILE)
  if (config.secretKey === undefined && existsSync(keyFile)) {
    // Sealed secrets (enrollment-group keys, storage connection strings) need this key to open.
    output.err(
      `note: stored secrets are sealed with ${keyFile}, which is not in the backup; keep a copy of it with the backup, kept as safe as the data`,
    )
  }
  return 0
}
