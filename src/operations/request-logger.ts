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

/**
 * The server's logger as Fastify is given it: `root`, except that its children are lazy
 * (RequestLogger). Fastify makes a child for every request through `child`. The laziness is put
 * here rather than in a `childLoggerFactory` because Fastify checks what a factory of its own
 * returns, method by method, on every request, and trusts its default factory, which calls `child`.
 * A child without bindings is Fastify's own server logger (that is how it adds its serializers):
 * it is made at once, and its children are lazy in turn.
 */
export function withLazyChildren(root: Logger): Logger {
  const logger = Object.create(root) as Logger
  logger.child = ((bindings: Bindings, options?: ChildLoggerOptions) =>
    hasAny(bindings)
      ? new RequestLogger(root, bindings, options ?? {})
      : withLazyChildren(root.child(bindings, options))) as unknown as Logger['child']
  return logger
}

function hasAny(bindings: Bindings): boolean {
  for (const _ in bindings) return true
  return false
}
