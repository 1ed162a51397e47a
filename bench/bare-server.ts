// The floors: bare Fastify routes over the same store as OpenCentral, with no authentication, no
// api-version check and no error shaping. `bare-server.ts sqlite <dataDir> <port>` reads the SQLite
// file (WAL, as OpenCentral opens it); `bare-server.ts postgres <url> <port>` a `pg` pool.
// Routes: GET /api/devices/:id, GET /api/devices?maxpagesize=n, PUT /api/devices/:id.
import Database from 'better-sqlite3'
import Fastify from 'fastify'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import pg from 'pg'
import { deviceView } from './lib/device-view.js'

type Row = Record<string, unknown>
interface Floor {
  byId(id: string): Row | undefined | Promise<Row | undefined>
  page(limit: number): Row[] | Promise<Row[]>
  rename(id: string, displayName: string, etag: string, now: number): Row | undefined | Promise<Row | undefined>
}

function sqliteFloor(dataDir: string): Floor {
  const db = new Database(path.join(dataDir, 'opencentral.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('synchronous = NORMAL')
  const byId = db.prepare('select * from devices where id = ?')
  const page = db.prepare('select * from devices order by id limit ?')
  const rename = db.prepare('update devices set display_name = ?, etag = ?, updated_at = ? where id = ? returning *')
  return {
    byId: (id) => byId.get(id) as Row | undefined,
    page: (limit) => page.all(limit) as Row[],
    rename: (id, displayName, etag, now) => rename.get(displayName, etag, now, id) as Row | undefined,
  }
}

function postgresFloor(url: string): Floor {
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  // A connection the server ends is replaced by the pool; its error must not end the process.
  pool.on('error', () => {})
  return {
    byId: async (id) => (await pool.query('select * from devices where id = $1', [id])).rows[0],
    page: async (limit) => (await pool.query('select * from devices order by id limit $1', [limit])).rows,
    rename: async (id, displayName, etag, now) =>
      (
        await pool.query('update devices set display_name = $1, etag = $2, updated_at = $3 where id = $4 returning *', [
          displayName,
          etag,
          now,
          id,
        ])
      ).rows[0],
  }
}

const [engine, location, port] = process.argv.slice(2) as ['sqlite' | 'postgres', string, string]
const floor = engine === 'postgres' ? postgresFloor(location) : sqliteFloor(location)
const app = Fastify({ logger: false })
app.get('/api/devices/:deviceId', async (request, reply) => {
  const row = await floor.byId((request.params as { deviceId: string }).deviceId)
  if (!row) return reply.code(404).send({ error: 'not found' })
  return deviceView(row)
})
app.get('/api/devices', async (request) => {
  const limit = Math.min(Number((request.query as { maxpagesize?: string }).maxpagesize ?? 25) || 25, 100)
  return { value: (await floor.page(limit)).map(deviceView) }
})
app.put('/api/devices/:deviceId', async (request, reply) => {
  const body = request.body as { displayName?: string }
  const etag = randomBytes(12).toString('base64url')
  const row = await floor.rename((request.params as { deviceId: string }).deviceId, String(body.displayName), etag, Date.now())
  if (!row) return reply.code(404).send({ error: 'not found' })
  return deviceView(row)
})
await app.listen({ port: Number(port), host: '127.0.0.1' })
