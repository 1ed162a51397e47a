import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createConnection } from 'node:net'
import path from 'node:path'
import { connect, type TLSSocket } from 'node:tls'
import { devCertificatePaths } from '../../src/tls/dev-certificates.js'
import { rssMb } from './process-usage.js'
import { freePort, pinned, root, startProcess } from './processes.js'

async function listening(port: number, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error(`the TLS floor server exited (${server.exitCode})`)
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
  throw new Error('the TLS floor server did not listen in 30 s')
}

/**
 * RSS per connection of a bare node:tls server (same certificate, same core) holding `count`
 * idle connections: what TLS alone costs a device on this Node and OpenSSL, whatever the server
 * does with it. Measured like the server's: VmRSS before and after connecting.
 */
export async function tlsFloorKbPerConnection(dataDir: string, ca: string, count: number, concurrency: number): Promise<number> {
  const files = devCertificatePaths(dataDir)
  const port = await freePort()
  const server = startProcess(
    pinned(0, [process.execPath, '--import', 'tsx', path.join(root, 'bench/tls-floor-server.ts'), files.cert, files.key, String(port)]),
  )
  const sockets: TLSSocket[] = []
  try {
    await listening(port, server)
    const before = rssMb(server.pid)
    let next = 0
    const lane = async () => {
      while (next < count) {
        next++
        const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' })
        socket.on('error', () => {})
        await once(socket, 'secureConnect')
        socket.write('x')
        sockets.push(socket)
      }
    }
    await Promise.all(Array.from({ length: concurrency }, lane))
    await new Promise((resolve) => setTimeout(resolve, 2000))
    return ((rssMb(server.pid) - before) * 1024) / count
  } finally {
    for (const socket of sockets) socket.destroy()
    server.kill('SIGTERM')
    if (server.exitCode === null) await once(server, 'exit')
  }
}
