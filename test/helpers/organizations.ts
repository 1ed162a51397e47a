import assert from 'node:assert/strict'
import type { TestServer } from './server.js'

/**
 * The hierarchy most organization tests share:
 *
 *   us ─┬─ wa
 *       └─ ca
 *   eu
 */
export const HIERARCHY: { id: string; displayName: string; parent?: string }[] = [
  { id: 'us', displayName: 'United States' },
  { id: 'wa', displayName: 'Washington', parent: 'us' },
  { id: 'ca', displayName: 'California', parent: 'us' },
  { id: 'eu', displayName: 'Europe' },
]

/** Creates the organizations over HTTP as the Administrator, insisting each one worked. */
export async function seedHierarchy(server: TestServer): Promise<void> {
  for (const { id, ...body } of HIERARCHY) {
    const response = await server.request('PUT', `/api/organizations/${id}`, { body })
    assert.equal(response.status, 200, response.text)
  }
}

/** Sends a request and insists on a 2xx, so that a later assertion never rests on a failed setup. */
export async function must(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<any> {
  const response = await server.request(method, path, body === undefined ? {} : { body })
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`)
  return response.body
}
