import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'
import pino from 'pino'
import { requestLoggerFactory } from '../../src/operations/request-logger.js'

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
    const log = requestLoggerFactory(logger, { requestId: 'abc0001' }, {})
    log.info({ status: 200 }, 'request')
    log.error(new Error('boom'))
    assert.equal(lines.length, 2)
    assert.deepEqual([lines[0]?.requestId, lines[0]?.status, lines[0]?.msg], ['abc0001', 200, 'request'])
    assert.equal(lines[1]?.requestId, 'abc0001')
    assert.equal((lines[1]?.err as { message?: string })?.message, 'boom')
  })

  it('writes nothing below the level, and answers the level of the server logger', () => {
    const { logger, lines } = capture('warn')
    const log = requestLoggerFactory(logger, { requestId: 'abc0002' }, {})
    log.info('not written')
    log.debug('not written')
    assert.equal(log.level, 'warn')
    assert.equal(lines.length, 0)
    log.warn('written')
    assert.equal(lines.length, 1)
  })

  it('gives children the request id', () => {
    const { logger, lines } = capture('info')
    const log = requestLoggerFactory(logger, { requestId: 'abc0003' }, {})
    log.child({ component: 'audit' }).info('from a child')
    assert.deepEqual([lines[0]?.requestId, lines[0]?.component], ['abc0003', 'audit'])
  })
})
