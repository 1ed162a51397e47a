import { createConnection, createServer, type Socket } from 'node:net'

export interface TcpRelay {
  /** The relay's port on 127.0.0.1. */
  port: number
  /** Stops listening and drops every connection: the target looks gone to the relay's users. */
  cut(): Promise<void>
}

/**
 * Passes TCP connections on to a shared server (Redis, PostgreSQL) so that a test can make that
 * server unreachable for its own nodes without stopping it for anyone else.
 */
export async function startTcpRelay(target: { host: string; port: number }): Promise<TcpRelay> {
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = createConnection(target)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cut: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      }),
  }
}
