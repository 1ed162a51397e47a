import type { FastifyInstance, FastifyReply } from 'fastify'
import { AppError } from '../errors/app-error.js'
import { PAGE_HEADERS } from '../idp/views/html.js'
import { messagePage } from '../idp/views/pages.js'
import { SETUP_PATH, type FirstRunSetup } from './first-run-setup.js'
import { setupDonePage, setupPage } from './setup-page.js'

interface SetupForm {
  email?: string
  password?: string
  name?: string
}

const CLOSED = messagePage(
  'This setup link does not work',
  'It was used already, has expired, or was never made. Restart the server for a new link while no Administrator can sign in.',
)

/** The pages behind the one-time setup link that `npm start` prints on the first run. */
export async function setupRoutes(
  app: FastifyInstance,
  { setup, publicUrl }: { setup: FirstRunSetup; publicUrl: string },
): Promise<void> {
  const publicOrigin = new URL(publicUrl).origin
  const path = `${SETUP_PATH}/:code`
  const send = (reply: FastifyReply, status: number, markup: string) =>
    reply.code(status).headers(PAGE_HEADERS).send(markup)

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  )

  app.get<{ Params: { code: string } }>(
    path,
    { config: { public: true }, schema: { hide: true } },
    async (request, reply) => {
      const { code } = request.params
      if (!setup.codes.isOpen(code) || !(await setup.needed())) return send(reply, 404, CLOSED)
      return send(reply, 200, setupPage({ action: `${publicUrl}${SETUP_PATH}/${code}` }))
    },
  )

  app.post<{ Params: { code: string }; Body: SetupForm }>(
    path,
    { config: { public: true }, schema: { hide: true } },
    async (request, reply) => {
      // Like the sign-in form: a form posted from another site is refused.
      const origin = request.headers.origin
      if (origin !== undefined && origin !== publicOrigin) {
        return send(reply, 403, messagePage('Refused', 'This form was sent from another site.'))
      }
      const { code } = request.params
      const form = request.body ?? {}
      if (!(await setup.needed())) return send(reply, 404, CLOSED)
      const expires = setup.codes.claim(code)
      if (expires === null) return send(reply, 404, CLOSED)
      try {
        await setup.complete({
          email: form.email ?? '',
          password: form.password ?? '',
          ...(form.name ? { name: form.name } : {}),
        })
      } catch (error) {
        setup.codes.release(code, expires)
        if (!(error instanceof AppError) || error.status >= 500) throw error
        const action = `${publicUrl}${SETUP_PATH}/${code}`
        return send(
          reply,
          422,
          setupPage({ action, email: form.email, name: form.name, error: error.message }),
        )
      }
      return send(reply, 200, setupDonePage(form.email ?? ''))
    },
  )
}
