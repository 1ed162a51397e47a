import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions, Logger } from 'pino'

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/**
 * A request's logger that makes its pino child (with the request id) the first time a line is
 * written. Fastify makes a child for every request; most requests write no line at the default
 * level, and making the child (its bindings serialized to JSON) costs more than the rest of the
 * logging path. Lines written are the same as the eager child's.
 */
export class RequestLogger {
  private made: Logger | undefined

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get logger(): Logger {
    return (this.made ??= this.parent.child(this.bindings, this.options))
  }

  get level(): string {
    return this.made?.level ?? this.parent.level
  }

  set level(level: string) {
    this.logger.level = level
  }

  // Methods on the prototype, not arrow fields: one logger is made for every request.
  fatal(...args: unknown[]): void {
    this.write('fatal', args)
  }
  error(...args: unknown[]): void {
    this.write('error', args)
  }
  warn(...args: unknown[]): void {
    this.write('warn', args)
  }
  info(...args: unknown[]): void {
    this.write('info', args)
  }
  debug(...args: unknown[]): void {
    this.write('debug', args)
  }
  trace(...args: unknown[]): void {
    this.write('trace', args)
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options)
  }

  private write(level: Exclude<Level, 'silent'>, args: unknown[]): void {
    // A level that writes nothing does not need the child.
    if (!this.made && !this.parent.isLevelEnabled(level)) return
    ;(this.logger[level] as (...a: unknown[]) => void)(...args)
  }
}

/** Fastify's `childLoggerFactory`: a lazy child per request (the server's logger is pino's). */
export function requestLoggerFactory(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new RequestLogger(parent as Logger, bindings, options) as unknown as FastifyBaseLogger
}
