import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errors, type InteractionResults } from 'oidc-provider'
import { retryAfterSeconds, type FailureThrottle } from '../operations/failure-throttle.js'
import type { AccountService } from './accounts.js'
import { isFirstPartyClient } from './clients.js'
import { IDP_PATH } from './constants.js'
import type { ProviderHolder } from './provider-holder.js'
import { PAGE_HEADERS } from './views/html.js'
import { messagePage, signInPage } from './views/pages.js'

type Provider = Awaited<ReturnType<ProviderHolder['get']>>
type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>

interface Options {
  providers: ProviderHolder
  accounts: AccountService
  publicUrl: string
  /** Locks out an address after repeated wrong passwords; null turns that off. */
  throttle: FailureThrottle | null
}

interface SignInForm {
  email?: string
  password?: string
  cancel?: string
}

const WRONG_CREDENTIALS = 'The email or the password is not right.'
const TOO_MANY = (seconds: string) =>
  `Too many failed sign-ins from your network. Try again in ${seconds} seconds.`

/**
 * The interactions oidc-provider delegates to us (devInteractions is off): signing a person in
 * with their email and password, and consent, which first-party clients are given without asking.
 */
export async function interactionRoutes(app: FastifyInstance, options: Options): Promise<void> {
  const { providers, accounts, publicUrl, throttle } = options
  const publicOrigin = new URL(publicUrl).origin
  const path = `${IDP_PATH}/interaction/:uid`

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  )

  const sendPage = (reply: FastifyReply, status: number, markup: string) =>
    reply.code(status).headers(PAGE_HEADERS).send(markup)

  const expired = (reply: FastifyReply) =>
    sendPage(
      reply,
      400,
      messagePage(
        'This sign-in has ended',
        'It expired, was completed, or was started in another browser. Start again from your device or application.',
      ),
    )

  /** The interaction named in the URL, if this browser's cookie is for it and it is still open. */
  async function interactionOf(
    provider: Provider,
    request: FastifyRequest<{ Params: { uid: string } }>,
    reply: FastifyReply,
  ): Promise<Interaction | null> {
    try {
      const interaction = await provider.interactionDetails(request.raw, reply.raw)
      return interaction.uid === request.params.uid ? interaction : null
    } catch (error) {
      if (error instanceof errors.OIDCProviderError) return null
      throw error
    }
  }

  async function finish(
    provider: Provider,
    request: FastifyRequest,
    reply: FastifyReply,
    result: InteractionResults,
  ) {
    reply.hijack()
    await provider.interactionFinished(request.raw, reply.raw, result, {
      mergeWithLastSubmission: false,
    })
  }

  async function clientName(provider: Provider, interaction: Interaction): Promise<string> {
    const clientId = String(interaction.params.client_id ?? '')
    const client = await provider.Client.find(clientId)
    return client?.clientName ?? clientId
  }

  /** First-party clients are ours: what they ask for is granted without a consent page. */
  async function consent(
    provider: Provider,
    interaction: Interaction,
  ): Promise<InteractionResults> {
    const clientId = String(interaction.params.client_id ?? '')
    if (!isFirstPartyClient(clientId) || !interaction.session?.accountId) {
      return { error: 'access_denied', error_description: 'This client may not act for people.' }
    }
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ accountId: interaction.session.accountId, clientId })
    if (!grant) return { error: 'access_denied', error_description: 'The grant no longer exists.' }
    const details = interaction.prompt.details as {
      missingOIDCScope?: string[]
      missingOIDCClaims?: string[]
      missingResourceScopes?: Record<string, string[]>
    }
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '))
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims)
    for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '))
    }
    const grantId = await grant.save()
    return { consent: interaction.grantId ? {} : { grantId } }
  }

  app.get<{ Params: { uid: string } }>(
    path,
    { config: { public: true }, schema: { hide: true } },
    async (request, reply) => {
      const provider = await providers.get()
      const interaction = await interactionOf(provider, request, reply)
      if (!interaction) return expired(reply)
      if (interaction.prompt.name === 'consent')
        return finish(provider, request, reply, await consent(provider, interaction))
      if (interaction.prompt.name !== 'login') {
        return finish(provider, request, reply, {
          error: 'access_denied',
          error_description: 'unsupported interaction',
        })
      }
      const action = `${publicUrl}${IDP_PATH}/interaction/${interaction.uid}`
      const hint = interaction.params.login_hint
      return sendPage(
        reply,
        200,
        signInPage({
          action,
          clientName: await clientName(provider, interaction),
          ...(typeof hint === 'string' ? { email: hint } : {}),
        }),
      )
    },
  )

  app.post<{ Params: { uid: string }; Body: SignInForm }>(
    path,
    { config: { public: true }, schema: { hide: true } },
    async (request, reply) => {
      // A browser always names the origin of a form post; another site's form is refused (login CSRF).
      const origin = request.headers.origin
      if (origin !== undefined && origin !== publicOrigin) {
        return sendPage(reply, 403, messagePage('Refused', 'This form was sent from another site.'))
      }
      const provider = await providers.get()
      const interaction = await interactionOf(provider, request, reply)
      if (!interaction) return expired(reply)
      if (interaction.prompt.name !== 'login')
        return reply.code(303).header('location', request.url).send()
      const form = (request.body ?? {}) as SignInForm
      if (form.cancel) {
        return finish(provider, request, reply, {
          error: 'access_denied',
          error_description: 'The person cancelled the sign-in.',
        })
      }
      const email = typeof form.email === 'string' ? form.email : ''
      const password = typeof form.password === 'string' ? form.password : ''
      const action = `${publicUrl}${IDP_PATH}/interaction/${interaction.uid}`
      // Checked before the password, and by address only: the answer is the same for every account.
      const wait = throttle?.lockedFor(request.ip) ?? 0
      if (wait > 0) {
        request.log.info({ uid: interaction.uid }, 'sign-in refused: address locked out')
        const seconds = retryAfterSeconds(wait)
        const name = await clientName(provider, interaction)
        reply.header('retry-after', seconds)
        return sendPage(reply, 429, signInPage({ action, clientName: name, email, error: TOO_MANY(seconds) }))
      }
      const account = email && password ? await accounts.authenticate(email, password) : null
      if (!account) {
        throttle?.fail(request.ip)
        request.log.info({ uid: interaction.uid }, 'sign-in refused: wrong email or password')
        const name = await clientName(provider, interaction)
        return sendPage(
          reply,
          400,
          signInPage({ action, clientName: name, email, error: WRONG_CREDENTIALS }),
        )
      }
      return finish(provider, request, reply, { login: { accountId: account.objectId } })
    },
  )
}
