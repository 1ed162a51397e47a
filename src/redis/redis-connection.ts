import type { Redis } from 'ioredis'

/** Where the Redis server is, without credentials (for logs and errors). */
export function redisDescription(url: string): string {
  const parsed = new URL(url)
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`
}

/**
 * Closes a client whatever its state. quit() says goodbye to a Redis that answers; while Redis is
 * away, a client without an offline queue fails it at once and goes on reconnecting, which would
 * keep the process alive after the server closed: disconnect() ends that.
 */
export async function closeRedis(client: Redis): Promise<void> {
  await client.quit().catch(() => {})
  client.disconnect()
}
