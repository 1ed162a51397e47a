import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { IdentityRequest } from '../fixtures/identity-get-token.js'

export type { IdentityRequest }

const SCRIPT = fileURLToPath(new URL('../fixtures/identity-get-token.ts', import.meta.url))

export type IdentityEvent =
  | { device: { userCode: string; verificationUri: string; message: string } }
  | { token: string; expiresOnTimestamp: number }
  | { error: { name: string; message: string } }

/**
 * Runs @azure/identity in a child process that trusts `caCert` through NODE_EXTRA_CA_CERTS (read by
 * Node only at start, as a program moved from IoT Central would be run). `onDevice` is called with
 * the device code prompt; the result is the last event: the token or the library's error.
 */
export function getTokenWithAzureIdentity(
  request: IdentityRequest,
  caCert: string,
  onDevice?: (prompt: {
    userCode: string
    verificationUri: string
    message: string
  }) => Promise<void>,
): Promise<IdentityEvent> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(request)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caCert, AZURE_LOG_LEVEL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let last: IdentityEvent | undefined
    let stderr = ''
    const pending: Promise<void>[] = []
    child.stderr.on('data', (chunk) => (stderr += chunk))
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as IdentityEvent
      if ('device' in event && onDevice) pending.push(onDevice(event.device))
      else last = event
    })
    child.on('error', reject)
    child.on('close', async (code) => {
      try {
        await Promise.all(pending)
      } catch (error) {
        return reject(error)
      }
      if (last) resolve(last)
      else reject(new Error(`@azure/identity exited with ${code} and no answer: ${stderr}`))
    })
  })
}
