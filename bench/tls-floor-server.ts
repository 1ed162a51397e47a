// The memory floor of `npm run bench:devices`: a bare node:tls server with OpenCentral's
// certificate, holding connections that do nothing. `tls-floor-server.ts <cert> <key> <port>`.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:tls'

const [cert, key, port] = process.argv.slice(2) as [string, string, string]
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (socket) => {
  socket.on('data', () => {})
  socket.on('error', () => {})
})
server.listen(Number(port), '127.0.0.1')
