// The WAL checkpointer's thread (see sqlite-checkpoints.ts): a connection of its own that copies
// the WAL into the database file when it has grown, without waiting for anyone.
import SqliteDatabase from 'better-sqlite3'
import { statSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'

const { file, intervalMs, minWalBytes } = workerData as { file: string; intervalMs: number; minWalBytes: number }
const db = new SqliteDatabase(file)

function walBytes(): number {
  try {
    return statSync(`${file}-wal`).size
  } catch {
    return 0
  }
}

const timer = setInterval(() => {
  try {
    // PASSIVE: copies what it can without waiting for readers or the writer, and never blocks them.
    if (walBytes() >= minWalBytes) db.pragma('wal_checkpoint(PASSIVE)')
  } catch {
    // Busy or briefly unavailable: the next tick tries again.
  }
}, intervalMs)

parentPort?.on('message', (message) => {
  if (message !== 'stop') return
  clearInterval(timer)
  db.close()
  parentPort?.close()
})
