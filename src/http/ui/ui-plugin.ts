import type { FastifyInstance, FastifyReply } from 'fastify'
import { AppError } from '../../errors/app-error.js'
import { UiAssets, type Asset } from './ui-assets.js'
import { uiHeaders } from './security-headers.js'
import { issuerOrigins, type UiSettings } from './ui-settings.js'
import { isClientRoute } from './client-routes.js'

/** First path segments that belong to the server (or to tools probing it), never to a page. */
const SERVER_SEGMENTS = new Set([
  'api',
  'oidc',
  'healthz',
  'readyz',
  'livez',
  'metrics',
  'version',
  'system',
  'assets',
  '.well-known',
])

// Whether the client accepts HTML by name: a bare wildcard, what scripts and SDKs send, does not count.
function acceptsHtml(accept: string | undefined): boolean {
  if (!accept) return false
  return accept.split(',').some((entry) => {
    const [type, ...params] = entry.split(';').map((part) => part.trim().toLowerCase())
    if (type !== 'text/html' && type !== 'application/xhtml+xml') return false
    const q = params.find((param) => param.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  })
}

/**
 * A page navigation: a request that accepts HTML, for a route the application has on the client.
 * Everything else, a browser probing /wp-admin included, gets the API's JSON 404.
 */
export function isPageNavigation(accept: string | undefined, pathname: string): boolean {
  return acceptsHtml(accept) && isClientRoute(pathname)
}

const MISSING_BUILD =
  'The web application is not built: run `npm run build` (npm ci and npm start do it for you).'

/**
 * Serves the web application at `/`: its built files, its settings at /ui-config.json, and
 * index.html for every page navigation, so that client-side routes survive a reload. Any other
 * GET that no route answers (a tool probing /metrics, an IoT Hub path) gets the JSON 404.
 */
export async function uiPlugin(
  app: FastifyInstance,
  { settings, assets = new UiAssets() }: { settings: UiSettings; assets?: UiAssets },
): Promise<void> {
  const UI_HEADERS = uiHeaders(issuerOrigins(settings))
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

  const notHere = (pathname: string) => new AppError('NotFound', `There is no GET ${pathname} here.`)

  app.get('/', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    if (!isPageNavigation(request.headers.accept, '/')) throw notHere('/')
    return sendIndex(reply)
  })

  app.get<{ Params: { '*': string } }>(
    '/*',
    { config: { public: true }, schema: { hide: true } },
    async (request, reply) => {
      const pathname = request.url.split('?')[0] as string
      // Bundled files carry a content hash in their name, so they may be cached for good.
      if (pathname.startsWith('/assets/')) {
        const asset = await assets.get(request.params['*'])
        if (!asset) throw notHere(pathname)
        return send(reply, asset, 'public, max-age=31536000, immutable')
      }
      const segment = pathname.split('/')[1]?.toLowerCase() ?? ''
      if (/\.[a-z0-9]+$/i.test(pathname) && !SERVER_SEGMENTS.has(segment)) {
        const file = await assets.get(request.params['*'])
        if (file) return send(reply, file, 'no-cache')
      }
      if (isPageNavigation(request.headers.accept, pathname)) return sendIndex(reply)
      throw notHere(pathname)
    },
  )
}
