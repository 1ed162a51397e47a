import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { onFreePort } from './free-port.js'

/**
 * An HTTP server on 127.0.0.1 that can go down and come back on the same port: a stand-in for a
 * remote service (an issuer) that becomes unreachable. Its port is chosen below the kernel's
 * ephemeral range, so that while it is down no outgoing connection can be given that port.
 */
export abstract class LoopbackServer {
  private server: Server | null = null
  private port = 0

  protected abstract handle(request: IncomingMessage, response: ServerResponse): void

  get base(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async up(): Promise<void> {
    this.server =
      this.port !== 0
        ? await this.listen(this.port)
        : await onFreePort(async (port) => {
            const server = await this.listen(port)
            this.port = port
            return server
          })
  }

  private async listen(port: number): Promise<Server> {
    const server = createServer((request, response) => this.handle(request, response))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', resolve)
    })
    return server
  }

  /** Stops answering (connections refused) until up() again. */
  async down(): Promise<void> {
    const server = this.server
    this.server = null
    server?.closeAllConnections()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  }
}
