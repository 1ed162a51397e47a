import { Redis } from 'ioredis'

/** The Redis the suite runs against; other suites may use it at the same time. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

async function withRedis<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await redis.connect()
    return await use(redis)
  } finally {
    redis.disconnect()
  }
}

/** The keys that match a pattern. */
export function findRedisKeys(pattern: string): Promise<string[]> {
  return withRedis(async (redis) => {
    const found: string[] = []
    for await (const keys of redis.scanStream({ match: pattern, count: 1000 })) {
      found.push(...(keys as string[]))
    }
    return found
  })
}

/** Deletes the keys that match a pattern (make it name something only this test created). */
export async function deleteRedisKeys(pattern: string): Promise<void> {
  const keys = await findRedisKeys(pattern)
  if (keys.length > 0) await withRedis((redis) => redis.del(...keys))
}
