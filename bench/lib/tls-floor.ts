import { once } from 'node:events'
import { connect, type TLSSocket } from 'node:tls'
import { startFloorServer } from './floor-server.js'
import { stopProcess } from './processes.js'
import { rssMb } from './process-usage.js'

/**
 * RSS per connection of a bare node:tls server (same certificate, same core) holding `count`
 * idle connections: what TLS alone costs a device on this Node and OpenSSL, whatever the server
 * does with it. Measured like the server's: VmRSS before and after connecting.
 */
export async function tlsFloorKbPerConnection(dataDir: string, ca: string, count: number, concurrency: number): Promise<number> {
  const { server, port } = await startFloorServer('bench/tls-floor-server.ts', dataDir)
  const sockets: TLSSocket[] = []
  try {
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
    await stopProcess(server)
  }
}
