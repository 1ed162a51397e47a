import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConnectThrottle } from '../../src/device-plane/mqtt/connect-throttle.js'
import { TestClock } from '../helpers/server.js'

const ADDRESS = '203.0.113.7'

/** How many connects `address` is admitted, trying `attempts` times without the clock moving. */
function admitted(throttle: ConnectThrottle, attempts: number, address = ADDRESS): number {
  let count = 0
  for (let i = 0; i < attempts; i++) if (throttle.tryConnect(address)) count++
  return count
}

describe('ConnectThrottle', () => {
  it('admits a burst of ten seconds of connects, then refuses until the bucket refills at the rate', () => {
    const clock = new TestClock(0)
    const throttle = new ConnectThrottle(2, clock.read)
    assert.equal(admitted(throttle, 25), 20)
    clock.advance(499)
    assert.equal(throttle.tryConnect(ADDRESS), false, 'less than one token refilled')
    clock.advance(1)
    assert.equal(admitted(throttle, 5), 1)
    clock.advance(60_000)
    assert.equal(admitted(throttle, 25), 20, 'the bucket holds no more than the burst')
  })

  it('charges a refused connect ten tokens more', () => {
    const clock = new TestClock(0)
    const throttle = new ConnectThrottle(2, clock.read)
    assert.equal(throttle.tryConnect(ADDRESS), true)
    throttle.refused(ADDRESS)
    assert.equal(admitted(throttle, 20), 9)
  })

  it('keeps one bucket per address', () => {
    const clock = new TestClock(0)
    const throttle = new ConnectThrottle(1, clock.read)
    assert.equal(admitted(throttle, 11), 10)
    assert.equal(admitted(throttle, 11, '198.51.100.1'), 10)
  })
})
