import type { Aedes } from 'aedes'
import type { FastifyBaseLogger } from 'fastify'
import type { Server as HttpServer, IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer, type Server as TlsServer } from 'node:tls'
import { WebSocketServer, createWebSocketStream } from 'ws'
import type { ServerTls } from '../../tls/server-tls.js'

export const WEBSOCKET_PATH = '/$iothub/websocket'

/**
 * MQTT over TLS. Client certificates are asked for but not required: X.509 devices present one,
 * SAS devices none; the broker's authentication judges them.
 */
export function listenTls(
  broker: Aedes,
  tls: ServerTls,
  host: string,
  port: number,
  log: FastifyBaseLogger,
): Promise<{ server: TlsServer; port: number }> {
  const server = createServer(
    { cert: tls.cert, key: tls.key, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    (socket) => broker.handle(socket),
  )
  server.on('tlsClientError', (error) => log.debug({ err: error }, 'device TLS handshake failed'))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve({ server, port: (server.address() as AddressInfo).port })
    })
  })
}

/**
 * MQTT over WebSockets at `/$iothub/websocket` on the HTTP(S) server, answering the `mqtt`
 * subprotocol (Microsoft's SDK gives up without it). Other upgrade paths are left to others.
 */
export function attachWebSockets(broker: Aedes, server: HttpServer): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 512 * 1024,
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
  })
  server.on('upgrade', (request: IncomingMessage, socket, head) => {
    const path = (request.url ?? '').split('?')[0]
    if (path !== WEBSOCKET_PATH) return
    wss.handleUpgrade(request, socket, head, (ws) => {
      const stream = createWebSocketStream(ws)
      stream.on('error', () => ws.terminate())
      broker.handle(stream, request)
    })
  })
  return wss
}
