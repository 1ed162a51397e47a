import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { X509Certificate } from 'node:crypto'
import { TLSSocket, type DetailedPeerCertificate } from 'node:tls'
import { isStoreUnavailable } from '../../storage/is-unavailable.js'
import { dpsError, type DpsAnswer } from './dps-answers.js'
import type { RegistrationProof } from './registration-admission.js'
import type { DeviceRegistrationService } from './registration.service.js'

/** The api-versions of the device provisioning service's device API that are served. */
export const DPS_API_VERSIONS: readonly string[] = ['2019-03-31', '2021-06-01', '2021-10-01']

/** A registration body is a registration id and a small payload. */
const BODY_LIMIT = 64 * 1024
/** Certificates taken from a TLS session at most (leaf and intermediates). */
const MAX_CHAIN = 8

interface Registration {
  Params: { idScope: string; registrationId: string }
  Querystring: Record<string, unknown>
  Body: string | undefined
}
type Operation = Registration & { Params: { operationId: string } }

/**
 * The device provisioning service's HTTPS device API, outside /api: devices authenticate with
 * their registration SAS (Authorization) or the client certificate of the TLS session, never with
 * an API token, so the routes are public to the API's authentication and every answer, errors
 * included, is DPS's JSON. Bodies are read here (as text) so that a malformed one gets a DPS error
 * too; the SDK's GET carries a `{}` body, which is ignored.
 */
export async function dpsRoutes(
  app: FastifyInstance,
  { registrations }: { registrations: DeviceRegistrationService },
): Promise<void> {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  )
  const options = { config: { public: true }, schema: { hide: true } }

  app.put<Registration>('/:idScope/registrations/:registrationId/register', options, async (request, reply) =>
    answer(request, reply, async () => {
      const body = parseBody(request.body)
      if (body === null) return dpsError('badRequest', 'The body must be a JSON object.', Date.now())
      const { registrationId } = request.params
      if (body.registrationId !== undefined && body.registrationId !== registrationId) {
        return dpsError('badRequest', 'The registrationId of the body differs from the one in the path.', Date.now())
      }
      return registrations.register({ ...common(request), payload: body.payload })
    }),
  )

  app.get<Operation>(
    '/:idScope/registrations/:registrationId/operations/:operationId',
    options,
    async (request, reply) =>
      answer(request, reply, () =>
        registrations.operationStatus({ ...common(request), operationId: request.params.operationId }),
      ),
  )

  app.post<Registration>('/:idScope/registrations/:registrationId', options, async (request, reply) =>
    answer(request, reply, () => registrations.registrationStatus(common(request))),
  )
}

/** The api-version check, the service's answer, and DPS's JSON for whatever goes wrong. */
async function answer(
  request: FastifyRequest<Registration>,
  reply: FastifyReply,
  run: () => Promise<DpsAnswer>,
): Promise<FastifyReply> {
  let result: DpsAnswer
  const version = request.query['api-version']
  if (typeof version !== 'string' || !DPS_API_VERSIONS.includes(version)) {
    result = dpsError(
      'invalidApiVersion',
      `The api-version '${String(version ?? '').slice(0, 32)}' is not supported; use one of ${DPS_API_VERSIONS.join(', ')}.`,
      Date.now(),
    )
  } else {
    try {
      result = await run()
    } catch (error) {
      request.log.error({ err: error }, 'device registration failed')
      result = isStoreUnavailable(error)
        ? dpsError('unavailable', 'The store is unavailable; retry shortly.', Date.now(), 5)
        : dpsError('internal', 'An internal error occurred.', Date.now())
    }
  }
  if (result.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.retryAfterSeconds))
  return reply
    .code(result.status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(result.body))
}

function common(request: FastifyRequest<Registration>) {
  return { idScope: request.params.idScope, registrationId: request.params.registrationId, proof: proofOf(request) }
}

/** The SAS when one is sent, else the client certificates of the TLS session (none: an empty chain). */
function proofOf(request: FastifyRequest): RegistrationProof {
  const authorization = request.headers.authorization
  if (authorization !== undefined) return { kind: 'sas', authorization }
  return { kind: 'x509', chain: peerChain(request.raw.socket) }
}

/** The certificates the client presented, leaf first, as PEM. */
function peerChain(socket: unknown): string[] {
  if (!(socket instanceof TLSSocket)) return []
  const chain: string[] = []
  let certificate: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true)
  while (certificate?.raw && chain.length < MAX_CHAIN) {
    const pem = new X509Certificate(certificate.raw).toString()
    if (chain.includes(pem)) break
    chain.push(pem)
    certificate = certificate.issuerCertificate
  }
  return chain
}

/** The body as an object; `{}` when there is none; null when it is not a JSON object. */
function parseBody(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined || text.trim() === '') return {}
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}
