import type { Caller } from './types'

/** Whether the caller holds a permission anywhere (application-wide or in some organization). */
export function mayAnywhere(caller: Caller, permission: string): boolean {
  return (
    caller.permissions.application.includes(permission) ||
    Object.values(caller.permissions.organizations).some((held) => held.includes(permission))
  )
}

/** Whether the caller holds a permission application-wide (what application-wide areas need). */
export function mayApplicationWide(caller: Caller, permission: string): boolean {
  return caller.permissions.application.includes(permission)
}
