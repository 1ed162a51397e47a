import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { DPS_API_VERSION, readDpsAnswer, RegistrationError, type Assignment, type RegistrationInput } from './dps-client.js'
import { registrationSas } from './sas.js'

/** The provisioning service's HTTPS device API: its base URL (`https://host:port`) and the CA to trust. */
export interface DpsHttpsEndpoint {
  url: string
  ca?: string
}

const REGISTRATION_TIMEOUT_MS = 60_000

function send(endpoint: DpsHttpsEndpoint, method: string, path: string, authorization: string, body: string) {
  const url = new URL(path, endpoint.url)
  url.searchParams.set('api-version', DPS_API_VERSION)
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise<{ status: number; retryAfter: number | null; text: string }>((resolve, reject) => {
    const sent = request(
      url,
      {
        method,
        ...(endpoint.ca ? { ca: endpoint.ca } : {}),
        headers: {
          authorization,
          accept: 'application/json',
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(body)),
        },
      },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () => {
          const retryAfter = Number(response.headers['retry-after'])
          resolve({ status: response.statusCode ?? 0, retryAfter: Number.isFinite(retryAfter) ? retryAfter : null, text })
        })
      },
    )
    sent.on('error', reject)
    sent.end(body)
  })
}

/**
 * Registers a device with the provisioning service over HTTPS, as the SDK's HTTP transport does:
 * PUT …/register, then GET …/operations/{operationId} every `retry-after` seconds while assigning.
 */
export async function registerOverHttps(endpoint: DpsHttpsEndpoint, input: RegistrationInput): Promise<Assignment> {
  const { idScope, registrationId } = input
  const base = `/${encodeURIComponent(idScope)}/registrations/${encodeURIComponent(registrationId)}`
  const authorization = registrationSas(idScope, registrationId, input.deviceKey)
  const deadline = Date.now() + REGISTRATION_TIMEOUT_MS
  let answer = await send(
    endpoint,
    'PUT',
    `${base}/register`,
    authorization,
    JSON.stringify({ registrationId, ...(input.modelId ? { payload: { modelId: input.modelId } } : {}) }),
  )
  for (;;) {
    const next = readDpsAnswer(registrationId, answer.status, answer.text, answer.retryAfter)
    if (next.kind === 'assigned') return next.assignment
    if (Date.now() + next.retryAfterSeconds * 1000 > deadline) {
      throw new RegistrationError(408, `registration of ${registrationId} took over ${REGISTRATION_TIMEOUT_MS / 1000} s`)
    }
    await new Promise((resolve) => setTimeout(resolve, next.retryAfterSeconds * 1000))
    answer =
      next.operationId === null
        ? await send(endpoint, 'PUT', `${base}/register`, authorization, JSON.stringify({ registrationId }))
        : await send(endpoint, 'GET', `${base}/operations/${encodeURIComponent(next.operationId)}`, authorization, '{}')
  }
}
