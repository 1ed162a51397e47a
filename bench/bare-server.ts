// The floor: a bare Fastify route that returns one device row from the same SQLite file,
// with no authentication, no api-version check and no error shaping.
import Database from 'better-sqlite3'
import Fastify from 'fastify'
import path from 'node:path'
import { deviceView } from './lib/device-view.js'

const [dataDir, port] = process.argv.slice(2) as [string, string]
const db = new Database(path.join(dataDir, 'opencentral.db'), { readonly: true })
const byId = db.prepare('select * from devices where id = ?')
const app = Fastify({ logger: false })
app.get('/api/devices/:deviceId', async (request, reply) => {
  const row = byId.get((request.params as { deviceId: string }).deviceId) as
    | Record<string, unknown>
    | undefined
  if (!row) return reply.code(404).send({ error: 'not found' })
  return deviceView(row)
})
await app.listen({ port: Number(port), host: '127.0.0.1' })
process.send?.('ready')
