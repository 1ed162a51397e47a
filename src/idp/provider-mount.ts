import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type Provider from 'oidc-provider'
import { IDP_PATH } from './constants.js'
import type { ProviderHolder } from './provider-holder.js'
import { prefilledUserCodes } from './provider-pages.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/**
 * Serves oidc-provider (a Koa application) under /oidc. One public catch-all route hands the raw
 * request to the provider in `onRequest`, before Fastify reads the body (the provider parses its
 * own). The provider sees the request as if it came to the public URL: it builds every URL it
 * publishes from the request, and the public URL is the one its issuer names.
 */
export async function providerMount(
  app: FastifyInstance,
  { providers, publicUrl }: { providers: ProviderHolder; publicUrl: string },
): Promise<void> {
  const base = new URL(publicUrl)
  const basePath = base.pathname.replace(/\/+$/, '')
  const handlers = new WeakMap<Provider, Handler>()

  const handlerFor = (provider: Provider): Handler => {
    let handler = handlers.get(provider)
    if (!handler) {
      // Forwarded headers are written here from the public URL, never taken from the client.
      provider.proxy = true
      handler = provider.callback() as unknown as Handler
      handlers.set(provider, handler)
    }
    return handler
  }

  async function handOver(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // Resolved before the reply is taken over, so a store failure still gets the usual 503 answer.
    const handler = handlerFor(await providers.get())
    reply.hijack()
    const req = request.raw as IncomingMessage & { originalUrl?: string }
    const full = req.url ?? IDP_PATH
    const inner = new URL(full.slice(IDP_PATH.length) || '/', 'http://internal')
    // verification_uri_complete: the provider would answer it with a self-submitting (scripted)
    // form; instead the code prefills the input of our page.
    if (
      req.method === 'GET' &&
      inner.pathname === '/device' &&
      inner.searchParams.has('user_code')
    ) {
      prefilledUserCodes.set(req, inner.searchParams.get('user_code') ?? '')
      inner.searchParams.delete('user_code')
    }
    req.url = inner.pathname + inner.search
    req.originalUrl = basePath + IDP_PATH + req.url
    req.headers['x-forwarded-proto'] = base.protocol.slice(0, -1)
    req.headers['x-forwarded-host'] = base.host
    delete req.headers['x-forwarded-for']
    await handler(req, reply.raw)
  }

  app.all(
    `${IDP_PATH}/*`,
    { config: { public: true }, schema: { hide: true }, onRequest: handOver },
    async () => undefined,
  )
}
