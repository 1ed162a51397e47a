import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { JWK } from 'jose'
import { IDP_PATH } from '../constants.js'
import { entraErrorBody, EntraError } from './entra-errors.js'
import { entraMetadata } from './entra-metadata.js'
import type { EntraPaths, TokenForm } from './entra-paths.js'
import { translateScope } from './entra-scope.js'
import { entraTokenResponse, type ProviderTokenAnswer } from './entra-token-response.js'
import { entraErrorFor } from './provider-error-mapping.js'
import { TOKEN_FORM_HEADER } from './token-form-header.js'
import { clientOf, type ClientDirectory } from './token-request-client.js'

export interface EntraRouteOptions {
  paths: EntraPaths
  publicUrl: string
  publicKeys(): Promise<{ keys: JWK[] }>
  clients: ClientDirectory
}

type Form = Record<string, string>
const FORM = 'application/x-www-form-urlencoded'
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const PUBLIC = { config: { public: true }, schema: { hide: true } } as const

/**
 * The embedded issuer's endpoints at Entra ID's paths for its tenant, so that MSAL and
 * @azure/identity work against it by changing `authorityHost`. Each request is translated to
 * oidc-provider's (the resource named in `scope` becomes a resource indicator) and handed to it
 * in-process: client authentication, grants and signing stay the provider's alone. The answers
 * are reshaped as Entra's, errors with their AADSTS numbers.
 */
export async function entraRoutes(app: FastifyInstance, options: EntraRouteOptions): Promise<void> {
  const { paths, clients } = options
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })

  const sendEntraError = (request: FastifyRequest, reply: FastifyReply, error: EntraError) => {
    // MSAL sends its correlation id in the query string; other clients in the header.
    const query = request.query as Record<string, unknown> | undefined
    const correlation = request.headers['client-request-id'] ?? query?.['client-request-id']
    return reply
      .code(error.status)
      .header('cache-control', 'no-store')
      .send(entraErrorBody(error, typeof correlation === 'string' ? correlation : undefined))
  }

  /** POSTs a form to the provider as if the client had sent it there. */
  const forward = (
    path: string,
    request: FastifyRequest,
    form: URLSearchParams,
    tokenForm?: TokenForm,
  ) =>
    app.inject({
      method: 'POST',
      url: `${IDP_PATH}${path}`,
      headers: {
        'content-type': FORM,
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
        ...(tokenForm ? { [TOKEN_FORM_HEADER]: tokenForm } : {}),
      },
      payload: form.toString(),
    })

  // Entra's errors raised here (a scope it would refuse) get Entra's body; any other error goes
  // on to the server's handler.
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof EntraError) return sendEntraError(request, reply, error)
    throw error
  })

  /** The provider's refusal in Entra's words, knowing who asked and how. */
  const refusal = async (
    answer: { statusCode: number; json(): unknown },
    request: FastifyRequest,
    fields: Form,
    resource: string | undefined,
  ) => {
    const client = await clientOf(fields, request.headers.authorization, clients)
    const body = answer.json() as { error?: string; error_description?: string }
    return entraErrorFor(answer.statusCode, body, { ...client, tenantId: paths.tenantId, resource })
  }

  const token = (tokenForm: TokenForm) => async (request: FastifyRequest, reply: FastifyReply) => {
    const fields = (request.body ?? {}) as Form
    const resource = tokenForm === 'v2' ? translateScope(fields.scope).resource : fields.resource
    const form = new URLSearchParams(fields)
    // MSAL sends Entra's short name of the device code grant.
    if (fields.grant_type === 'device_code') form.set('grant_type', DEVICE_CODE_GRANT)
    // The provider grants its one permission on the resource; the OpenID scopes were granted at
    // sign-in (device code, authorization code), so the token request carries neither.
    form.delete('scope')
    form.delete('resource')
    if (resource) form.set('resource', resource)
    const answer = await forward('/token', request, form, tokenForm)
    reply.header('cache-control', 'no-store')
    if (answer.statusCode !== 200) throw await refusal(answer, request, fields, resource)
    const asked = { scope: fields.scope, resource }
    const body = answer.json() as ProviderTokenAnswer
    return reply.send(entraTokenResponse(body, tokenForm, asked, Math.floor(Date.now() / 1000)))
  }

  const deviceCode = async (request: FastifyRequest, reply: FastifyReply) => {
    const fields = (request.body ?? {}) as Form
    const scope = translateScope(fields.scope)
    const form = new URLSearchParams({
      client_id: fields.client_id ?? '',
      scope: scope.openid || 'openid',
    })
    if (scope.resource) form.set('resource', scope.resource)
    const answer = await forward('/device/auth', request, form)
    if (answer.statusCode !== 200) throw await refusal(answer, request, fields, scope.resource)
    const body = answer.json() as Record<string, unknown>
    return reply.header('cache-control', 'no-store').send({
      ...body,
      message: `To sign in, use a web browser to open the page ${String(body.verification_uri)} and enter the code ${String(body.user_code)} to authenticate.`,
    })
  }

  // Sign-in happens on the provider's own pages: the request is sent there, the resource moved
  // from `scope` to `resource`.
  const authorize = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = new URLSearchParams(request.query as Form)
    const scope = translateScope(query.get('scope') ?? undefined)
    query.set('scope', scope.openid || 'openid')
    if (scope.resource) query.set('resource', scope.resource)
    return reply.redirect(`${options.publicUrl}${IDP_PATH}/auth?${query}`)
  }

  const keys = async () => options.publicKeys()
  for (const [form, version] of [
    ['v2', '/v2.0'],
    ['v1', ''],
  ] as const) {
    app.get(`${paths.prefix}${version}/.well-known/openid-configuration`, PUBLIC, async () =>
      entraMetadata(paths, form),
    )
    app.get(`${paths.prefix}/discovery${version}/keys`, PUBLIC, keys)
    app.post(`${paths.prefix}/oauth2${version}/token`, PUBLIC, token(form))
    app.post(`${paths.prefix}/oauth2${version}/devicecode`, PUBLIC, deviceCode)
    app.get(`${paths.prefix}/oauth2${version}/authorize`, PUBLIC, authorize)
  }
}
