import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/**
 * The first port the kernel hands out on its own (to `listen(0)` and to outgoing connections).
 * Ports below it are never given away behind our back, so one chosen there stays free between the
 * probe and the real listen unless another test picks the same number.
 */
function ephemeralFloor(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)
    const port = Number(low)
    if (Number.isInteger(port) && port > 12_000) return port
  } catch {
    // Not Linux: the IANA dynamic range starts at 49152, and Linux's default at 32768.
  }
  return 32_768
}

const LOWEST = 10_000
const HIGHEST = ephemeralFloor() - 1

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })
}

/**
 * A port nobody listens on right now, for a server whose port must be known before it listens
 * (its own URLs name it). Chosen at random below the kernel's ephemeral range: the kernel's own
 * picks (a port-0 listener, an outgoing connection's local port) cannot take it in the meantime.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1))
    if (await listenable(port)) return port
  }
  throw new Error(`no free port between ${LOWEST} and ${HIGHEST}`)
}

/**
 * Runs `listen` on a free port; when another test took that port before it could listen
 * (EADDRINUSE), on another one, three tries in all.
 */
export async function onFreePort<T>(listen: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await listen(await freePort())
    } catch (error) {
      if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE' || attempt === 3) throw error
    }
  }
}
