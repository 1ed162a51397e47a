import type { LoggerOptions } from 'pino'
import type { Config } from '../config/schema.js'

/** Credentials never reach a log line, whatever logs the request. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
]

/**
 * The logger: JSON lines for collectors, or pino-pretty (in a worker, off the request path) for a
 * person at a terminal. `auto` looks at whether stdout is one.
 */
export function loggerOptions(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  isTerminal: boolean = process.stdout.isTTY === true,
): LoggerOptions {
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && isTerminal)
  return {
    level: config.logLevel,
    redact: REDACT,
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: isTerminal, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  }
}
