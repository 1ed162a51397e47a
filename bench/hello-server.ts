// The load generator's own check: a trivial node:http hello-world. `npm run bench` refuses to report
// unless the generator drives this at least 1.3× faster than the floor, i.e. the generator is
// not what limits the floor.
import { createServer } from 'node:http'

const body = JSON.stringify({ hello: 'world' })
createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  response.end(body)
}).listen(Number(process.argv[2]), '127.0.0.1')
