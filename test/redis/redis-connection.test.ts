import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { closeRedis, redisDescription } from '../../src/redis/redis-connection.js'
import { runFixture } from '../helpers/child.js'
import { REDIS_URL } from '../helpers/redis.js'

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

describe('Redis connections', () => {
  it('closes a client whose Redis is away: it stops reconnecting, so the process can exit', async () => {
    const child = runFixture('redis-close.ts', [String(await closedPort())])
    const exited = once(child, 'exit')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    const [code, signal] = (await exited) as [number | null, string | null]
    clearTimeout(timer)
    assert.ok(child.output().includes('closed'), child.errors())
    assert.deepEqual([code, signal], [0, null], 'the process exited by itself')
  })

  it('closes a connected client', async () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true })
    await client.connect()
    const ended = once(client, 'end')
    await closeRedis(client)
    await ended
    assert.equal(client.status, 'end')
  })

  it('describes a Redis without its credentials', () => {
    assert.equal(redisDescription('redis://user:secret@cache.example:6380/2'), 'redis://cache.example:6380/2')
    assert.equal(redisDescription('rediss://:secret@cache.example'), 'rediss://cache.example')
  })
})
