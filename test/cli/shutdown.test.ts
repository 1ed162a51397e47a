import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { createStore, type TestStore } from '../helpers/cli-store.js'
import { startCliServer, type RunningServer } from '../helpers/cli.js'
import { DIALECTS } from '../helpers/dialects.js'

/** A client that sends a request's headers one byte a second and never finishes them. */
function slowClient(url: string): { socket: Socket; closed: Promise<string>; stop(): void } {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  const head = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '
  socket.write(head)
  const timer = setInterval(() => socket.writable && socket.write('a'), 1000)
  let received = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk))
  socket.on('error', () => {})
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)))
  void closed.then(() => clearInterval(timer))
  return { socket, closed, stop: () => (clearInterval(timer), socket.destroy()) }
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | null> =>
  Promise.race([promise, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref())])

async function ended(server: RunningServer): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL')
    await server.exited
  }
}

for (const dialect of DIALECTS) {
  describe(`CLI: shutdown and timeouts (${dialect})`, () => {
    let store: TestStore
    beforeEach(async () => {
      store = await createStore(dialect)
    })
    afterEach(async () => store?.remove())

    it('a client sending one byte a second cannot keep the server alive: after the 10 s grace it is cut and the exit is non-zero', async () => {
      // Timeouts longer than the grace: the grace deadline is what ends the connection here.
      const server = await startCliServer([...store.flags, '--headers-timeout', '60', '--request-timeout', '60', '--log-level', 'info'], { readyTimeoutMs: 120_000 })
      const client = slowClient(server.url)
      try {
        await new Promise((resolve) => setTimeout(resolve, 1500))
        const started = Date.now()
        server.child.kill('SIGTERM')
        const outcome = await within(server.exited, 16_000)
        assert.ok(outcome, `the server was still running 16 s after SIGTERM\nstdout: ${server.stdout()}`)
        assert.deepEqual(outcome, { code: 1, signal: null }, `stdout: ${server.stdout()}`)
        assert.ok(Date.now() - started >= 9_000, 'the client was given the grace period')
        assert.match(server.stdout(), /shutdown grace of 10 s.*cut 1 open connection/)
      } finally {
        client.stop()
        await ended(server)
      }
    })

    it('--shutdown-grace sets the deadline; a shutdown that cuts nothing exits 0 at once', async () => {
      const server = await startCliServer([...store.flags, '--shutdown-grace', '2', '--log-level', 'warn'], { readyTimeoutMs: 120_000 })
      const client = slowClient(server.url)
      try {
        await new Promise((resolve) => setTimeout(resolve, 500))
        const started = Date.now()
        server.child.kill('SIGTERM')
        const outcome = await within(server.exited, 8_000)
        assert.deepEqual(outcome, { code: 1, signal: null }, `stdout: ${server.stdout()}`)
        assert.ok(Date.now() - started < 6_000)
      } finally {
        client.stop()
        await ended(server)
      }
      const idle = await startCliServer([...store.flags, '--shutdown-grace', '2', '--log-level', 'warn'], { readyTimeoutMs: 120_000 })
      try {
        // A kept-alive connection that is idle is no reason to wait.
        const response = await fetch(`${idle.url}/healthz`)
        await response.arrayBuffer()
        const started = Date.now()
        idle.child.kill('SIGTERM')
        assert.deepEqual(await within(idle.exited, 8_000), { code: 0, signal: null }, `stdout: ${idle.stdout()}`)
        assert.ok(Date.now() - started < 2_000)
      } finally {
        await ended(idle)
      }
    })

    it('--headers-timeout cuts off a client that sends its headers too slowly, with 408', async () => {
      const server = await startCliServer([...store.flags, '--headers-timeout', '2', '--log-level', 'warn'], { readyTimeoutMs: 120_000 })
      const client = slowClient(server.url)
      try {
        const started = Date.now()
        const received = await within(client.closed, 8_000)
        assert.ok(received !== null, 'the connection was still open 8 s later')
        assert.match(received, /^HTTP\/1\.1 408/)
        assert.ok(Date.now() - started >= 1_500)
      } finally {
        client.stop()
        server.child.kill('SIGTERM')
        await within(server.exited, 5_000)
        await ended(server)
      }
    })
  })
}
