import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'
import pino from 'pino'
import { withLazyChildren } from '../../src/operations/request-logger.js'

function capture(level: string) {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>)
      done()
    },
  })
  return { logger: pino({ level }, stream), lines }
}

describe('request logger', () => {
  it('writes lines carrying the request id, as a pino child would', () => {
    const { logger, lines } = capture('info')
    const log = withLazyChildren(logger).child({ requestId: 'abc0001' })
    log.info({ status: 200 }, 'request')
    log.error(new Error('boom'))
    assert.equal(lines.length, 2)
    assert.deepEqual([lines[0]?.requestId, lines[0]?.status, lines[0]?.msg], ['abc0001', 200, 'request'])
    assert.equal(lines[1]?.requestId, 'abc0001')
    assert.equal((lines[1]?.err as { message?: string })?.message, 'boom')
  })

  it('writes nothing below the level, and answers the level of the server logger', () => {
    const { logger, lines } = capture('warn')
    const log = withLazyChildren(logger).child({ requestId: 'abc0002' })
    log.info('not written')
    log.debug('not written')
    assert.equal(log.level, 'warn')
    assert.equal(lines.length, 0)
    log.warn('written')
    assert.equal(lines.length, 1)
  })

  it('gives children the request id', () => {
    const { logger, lines } = capture('info')
    const log = withLazyChildren(logger).child({ requestId: 'abc0003' })
    log.child({ component: 'audit' }).info('from a child')
    assert.deepEqual([lines[0]?.requestId, lines[0]?.component], ['abc0003', 'audit'])
  })

  it('makes the pino child of a request only when a line is written, also below Fastify\'s own server logger', () => {
    const { logger, lines } = capture('info')
    let made = 0
    const counted = Object.create(logger) as typeof logger
    counted.child = ((...args: Parameters<typeof logger.child>) => {
      made++
      const child = logger.child(...args)
      const countedChild = Object.create(child) as typeof child
      countedChild.child = counted.child
      return countedChild
    }) as typeof logger.child
    // Fastify makes its server logger as a child without bindings, then one child a request.
    const server = withLazyChildren(counted).child({}, {})
    assert.equal(made, 1)
    const log = server.child({ requestId: 'abc0004' })
    log.debug('below the level')
    assert.equal(made, 1)
    log.info('written')
    assert.equal(made, 2)
    assert.equal(lines[0]?.requestId, 'abc0004')
  })
})
