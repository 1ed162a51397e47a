import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * An HTTP server on 127.0.0.1 that can go down and come back on the same port: a stand-in for a
 * remote service (an issuer) that becomes unreachable.
 */
export abstract class LoopbackServer {
  private server: Server | null = null
  private port = 0

  protected abstract handle(request: IncomingMessage, response: ServerResponse): void

  get base(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async up(): Promise<void> {
    const server = createServer((request, response) => this.handle(request, response))
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve))
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  /** Stops answering (connections refused) until up() again. */
  async down(): Promise<void> {
    const server = this.server
    this.server = null
    server?.closeAllConnections()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  }
}
