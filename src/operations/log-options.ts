import pino, { type Logger, type LoggerOptions } from 'pino'
import pretty from 'pino-pretty'
import type { Config } from '../config/schema.js'

/** Credentials never reach a log line, whatever logs the request. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
]

/** Whether lines are written for people: `pretty`, or `auto` on a terminal. */
export function isPretty(config: Pick<Config, 'logFormat'>, isTerminal: boolean): boolean {
  return config.logFormat === 'pretty' || (config.logFormat === 'auto' && isTerminal)
}

export function loggerOptions(config: Pick<Config, 'logLevel'>): LoggerOptions {
  return { level: config.logLevel, redact: REDACT }
}

/**
 * The server's logger: JSON lines for collectors, or pino-pretty, coloured on a terminal, for a
 * person. Pretty lines are formatted in this thread and written synchronously, so the last lines
 * before an exit are not lost (a worker-thread transport drops them on process.exit).
 */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  isTerminal: boolean = process.stdout.isTTY === true,
): Logger {
  if (!isPretty(config, isTerminal)) return pino(loggerOptions(config))
  return pino(
    loggerOptions(config),
    pretty({ colorize: isTerminal, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
  )
}
