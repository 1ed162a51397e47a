import type { FastifyInstance, FastifyReply } from 'fastify'
import { AppError } from '../../errors/app-error.js'
import { UiAssets, type Asset } from './ui-assets.js'
import { UI_HEADERS } from './security-headers.js'

export interface UiSettings {
  /** The issuer the application signs people in with. */
  issuer: string
  clientId: string
  /** The resource (audience) its access tokens are for. */
  resource: string
}

/** Paths that belong to the server, never to the application's client-side routes. */
const SERVER_PREFIXES = ['/api/', '/oidc', '/healthz']

const MISSING_BUILD =
  'The web application is not built: run `npm run build` (npm ci and npm start do it for you).'

/**
 * Serves the web application at `/`: its built files, its settings at /ui-config.json, and
 * index.html for every other page path, so that client-side routes survive a reload.
 */
export async function uiPlugin(
  app: FastifyInstance,
  { settings, assets = new UiAssets() }: { settings: UiSettings; assets?: UiAssets },
): Promise<void> {
  const send = (reply: FastifyReply, asset: Asset, cache: string) =>
    reply
      .headers(UI_HEADERS)
      .header('content-type', asset.contentType)
      .header('cache-control', cache)
      .send(asset.body)

  const sendIndex = async (reply: FastifyReply) => {
    const index = await assets.get('index.html')
    if (!index) throw new AppError('ServiceUnavailable', MISSING_BUILD)
    return send(reply, index, 'no-cache')
  }

  app.get(
    '/ui-config.json',
    { config: { public: true }, schema: { hide: true } },
    async (_r, reply) =>
      reply.headers(UI_HEADERS).header('cache-control', 'no-cache').send(settings),
  )

  app.get('/', { config: { public: true }, schema: { hide: true } }, (_request, reply) =>
    sendIndex(reply),
  )

  app.get<{ Params: { '*': string } }>(
    '/*',
    { config: { public: true }, schema: { hide: true } },
    async (request, reply) => {
      const pathname = request.url.split('?')[0] as string
      if (SERVER_PREFIXES.some((prefix) => pathname.startsWith(prefix))) {
        throw new AppError('NotFound', `There is no GET ${pathname} here.`)
      }
      // Bundled files carry a content hash in their name, so they may be cached for good.
      if (pathname.startsWith('/assets/')) {
        const asset = await assets.get(request.params['*'])
        if (!asset) throw new AppError('NotFound', `There is no GET ${pathname} here.`)
        return send(reply, asset, 'public, max-age=31536000, immutable')
      }
      const file = /\.[a-z0-9]+$/i.test(pathname) ? await assets.get(request.params['*']) : null
      return file ? send(reply, file, 'no-cache') : sendIndex(reply)
    },
  )
}
