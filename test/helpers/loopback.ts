import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { freePort, isAddressInUse } from './free-port.js'

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
    if (this.port !== 0) {
      this.server = await this.listen(this.port)
      return
    }
    // The first time, a port another test took meanwhile is no reason to fail: choose again.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      try {
        this.server = await this.listen(port)
        this.port = port
        return
      } catch (error) {
        if (!isAddressInUse(error) || attempt === 3) throw error
      }
    }
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
