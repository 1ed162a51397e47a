import type { Config } from '../config/schema.js'

/**
 * Fastify's `trustProxy` from the setting: off when empty, a hop count when it is one whole
 * number (Fastify takes it although its types do not say so), otherwise the addresses and CIDRs whose X-Forwarded-For is believed.
 */
export function trustProxyOption(config: Pick<Config, 'trustProxy'>): boolean | number | string[] {
  const list = config.trustProxy
  if (list.length === 0) return false
  if (list.length === 1 && /^[0-9]+$/.test(list[0] as string)) return Number(list[0])
  return [...list]
}
