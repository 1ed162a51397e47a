import type { Principal } from '../auth/principal.js'
import { AppError } from '../errors/app-error.js'
import { actorOf, type AuditTrail } from './audit-trail.js'

/** How one service method is recorded: its action (possibly decided by a look at the store) and target. */
export interface AuditedMethod {
  action: string | ((args: unknown[]) => Promise<string>)
  /** The target id; by default the method's second argument (the first is the caller). */
  target?: (args: unknown[]) => string
}

/** Errors the service layer has recorded, so the HTTP layer does not record them again. */
const recorded = new WeakSet<object>()

export const isRecorded = (error: unknown): boolean => typeof error === 'object' && error !== null && recorded.has(error)

/**
 * The service, with the listed methods recorded in the audit trail once they have finished (a
 * success after its transaction committed; a refusal with its status): the one place each change
 * is recorded, whoever asks for it (a route or the CLI). Every other member is the service's own.
 */
export function audited<S extends object>(
  service: S,
  trail: AuditTrail,
  methods: Partial<Record<keyof S & string, AuditedMethod>>,
): S {
  const wrappers = new Map<PropertyKey, unknown>()
  for (const [name, spec] of Object.entries(methods) as [string, AuditedMethod][]) {
    const original = (service as Record<string, unknown>)[name] as (...args: unknown[]) => Promise<unknown>
    wrappers.set(name, async (...args: unknown[]) => {
      const actor = actorOf(args[0] as Principal | null)
      const target = spec.target ? spec.target(args) : String(args[1])
      const action = typeof spec.action === 'string' ? spec.action : await spec.action(args)
      try {
        const result = await original.apply(service, args)
        await trail.record({ action, actor, target, outcome: 'success', status: null })
        return result
      } catch (error) {
        const status = error instanceof AppError ? error.status : 500
        await trail.record({ action, actor, target, outcome: status === 403 ? 'denied' : 'failed', status })
        if (typeof error === 'object' && error !== null) recorded.add(error)
        throw error
      }
    })
  }
  const bound = new Map<PropertyKey, unknown>()
  return new Proxy(service, {
    get(target, property) {
      if (wrappers.has(property)) return wrappers.get(property)
      const value = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      // Unrecorded methods run on the service itself, so state they set is the service's.
      if (!bound.has(property)) bound.set(property, (value as (...a: unknown[]) => unknown).bind(target))
      return bound.get(property)
    },
  })
}

/** `<kind>.create` when the id is new, `<kind>.update` when it exists: for create-or-replace PUTs. */
export const createOrUpdate =
  (kind: string, exists: (id: string) => Promise<boolean>) =>
  async (args: unknown[]): Promise<string> =>
    `${kind}.${(await exists(String(args[1]))) ? 'update' : 'create'}`
