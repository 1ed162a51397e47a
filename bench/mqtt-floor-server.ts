// The throughput floor of `npm run bench:devices`: a bare MQTT server over node:tls with
// OpenCentral's certificate that parses with mqtt-packet and answers at once — CONNACK 0 to any
// CONNECT, SUBACK, PUBACK for every QoS 1 PUBLISH, PINGRESP — and stores nothing. What TLS and
// MQTT framing alone cost a message on this Node. `mqtt-floor-server.ts <cert> <key> <port>`.
import { readFileSync } from 'node:fs'
import { createServer, type TLSSocket } from 'node:tls'
import mqtt, { type Packet } from 'mqtt-packet'

const [cert, key, port] = process.argv.slice(2) as [string, string, string]

/** The answer to `packet`, if it wants one; undefined for what needs none. */
function answer(packet: Packet): Packet | undefined {
  switch (packet.cmd) {
    case 'connect':
      return { cmd: 'connack', returnCode: 0, sessionPresent: false }
    case 'subscribe':
      return { cmd: 'suback', messageId: packet.messageId, granted: packet.subscriptions.map((s) => s.qos) }
    case 'publish':
      return packet.qos === 1 ? { cmd: 'puback', messageId: packet.messageId } : undefined
    case 'pingreq':
      return { cmd: 'pingresp' }
    default:
      return undefined
  }
}

function serve(socket: TLSSocket) {
  const parser = mqtt.parser({ protocolVersion: 4 })
  parser.on('packet', (packet: Packet) => {
    if (packet.cmd === 'disconnect') return void socket.end()
    const reply = answer(packet)
    // writeToStream, as aedes writes: it corks the socket until the next tick, so the answers to
    // one read go out together.
    if (reply) mqtt.writeToStream(reply, socket, { protocolVersion: 4 })
  })
  parser.on('error', () => socket.destroy())
  socket.on('data', (chunk: Buffer) => parser.parse(chunk))
  socket.on('error', () => {})
}

createServer({ cert: readFileSync(cert), key: readFileSync(key) }, serve).listen(Number(port), '127.0.0.1')
