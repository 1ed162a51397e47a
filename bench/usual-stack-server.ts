// The usual Node stack for the same job: Express 5 + passport-http-bearer + jsonwebtoken (RS256),
// reading the same device row from the same SQLite file. Every request verifies the signature.
import Database from 'better-sqlite3'
import express from 'express'
import jwt from 'jsonwebtoken'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { deviceView } from './lib/device-view.js'
import passport from 'passport'
import { Strategy as BearerStrategy } from 'passport-http-bearer'

const [dataDir, publicKeyFile, issuer, audience, port] = process.argv.slice(2) as [string, string, string, string, string]
const publicKey = readFileSync(publicKeyFile, 'utf8')
const db = new Database(path.join(dataDir, 'opencentral.db'), { readonly: true })
const byId = db.prepare('select * from devices where id = ?')

passport.use(
  new BearerStrategy((token, done) => {
    jwt.verify(token, publicKey, { algorithms: ['RS256'], issuer, audience }, (error, claims) =>
      error ? done(null, false) : done(null, claims as object),
    )
  }),
)

const app = express()
app.use(passport.initialize())
app.get('/api/devices/:deviceId', passport.authenticate('bearer', { session: false }), (request, response) => {
  const row = byId.get(request.params.deviceId) as Record<string, unknown> | undefined
  if (!row) {
    response.status(404).json({ error: 'not found' })
    return
  }
  response.json(deviceView(row))
})
app.listen(Number(port), '127.0.0.1')
