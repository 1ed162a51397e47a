import { once } from 'node:events'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

const INTERVAL_MS = 1000
/** About 250 pages: small enough that a checkpoint is short, large enough to run rarely. */
const MIN_WAL_BYTES = 1 << 20

/**
 * Checkpoints the SQLite WAL from a worker thread. SQLite's own automatic checkpoint runs inside
 * the commit that takes the WAL past 1000 pages, on the committing connection: here the event
 * loop. It copies the WAL into the database file and syncs it to disk, so now and then one write
 * waits for the disk, and every request queued behind it waits too. The server's connections turn
 * that off (`wal_autocheckpoint = 0`) and this thread runs a PASSIVE checkpoint once a second when
 * the WAL has grown past 1 MB: it never waits for a lock and never blocks a reader or the writer.
 */
export class WalCheckpoints {
  private readonly worker: Worker
  /** Set once the thread has ended, however it ended. */
  private ended = false
  private stopping: Promise<void> | null = null

  constructor(file: string) {
    // The worker's file sits beside this one: .ts under the test runner, .js once built.
    const entry = new URL(`./sqlite-checkpoint-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)
    this.worker = new Worker(entry, {
      workerData: { file, intervalMs: INTERVAL_MS, minWalBytes: MIN_WAL_BYTES },
    })
    this.worker.once('exit', () => (this.ended = true))
    this.worker.unref()
  }

  /**
   * Closes the worker's connection and waits for the thread to end. Idempotent: a store closed
   * twice (or whose thread already ended) must not wait for an 'exit' that has already come.
   */
  stop(): Promise<void> {
    if (this.ended) return Promise.resolve()
    this.stopping ??= (async () => {
      const exited = once(this.worker, 'exit')
      // Held while it ends: an unreferenced thread would let the process leave before 'exit'.
      this.worker.ref()
      this.worker.postMessage('stop')
      await exited
    })()
    return this.stopping
  }
}
