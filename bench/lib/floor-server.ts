import type { ChildProcess } from 'node:child_process'
import { createConnection } from 'node:net'
import path from 'node:path'
import { devCertificatePaths } from '../../src/tls/dev-certificates.js'
import { freePort, pinned, root, startProcess, stopProcess } from './processes.js'

async function listening(port: number, server: ChildProcess, name: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error(`${name} exited (${server.exitCode})`)
    const up = await new Promise<boolean>((resolve) => {
      const probe = createConnection(port, '127.0.0.1')
      probe.once('connect', () => {
        probe.destroy()
        resolve(true)
      })
      probe.once('error', () => resolve(false))
    })
    if (up) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${name} did not listen in 30 s`)
}

/**
 * Starts a floor server of bench/ (`<script> <cert> <key> <port>`) with the development
 * certificate of `dataDir`, on core 0 as the server it is a floor for, and waits until it listens.
 */
export async function startFloorServer(script: string, dataDir: string): Promise<{ server: ChildProcess; port: number }> {
  const files = devCertificatePaths(dataDir)
  const port = await freePort()
  const server = startProcess(
    pinned(0, [process.execPath, '--import', 'tsx', path.join(root, script), files.cert, files.key, String(port)]),
  )
  try {
    await listening(port, server, script)
  } catch (error) {
    await stopProcess(server)
    throw error
  }
  return { server, port }
}
