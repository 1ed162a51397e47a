import { AsyncLocalStorage } from 'node:async_hooks'

/** Where a change came from: the HTTP request that asked for it. */
export interface RequestOrigin {
  clientAddress: string
  requestId: string
}

/**
 * The origin of the request being served, for the audit trail at the service layer (which sees
 * callers, not requests). Set only around the handlers of requests that can change something;
 * outside a request (the CLI, the job runner) there is none.
 */
export const requestOrigin = new AsyncLocalStorage<RequestOrigin>()
