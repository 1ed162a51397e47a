import type { IncomingMessage } from 'node:http'
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider'
import { PAGE_HEADERS, pageHeaders } from './views/html.js'
import {
  confirmPage,
  messagePage,
  SIGN_OUT_SCRIPT,
  signOutPage,
  successPage,
  userCodePage,
} from './views/pages.js'

/**
 * The pages oidc-provider itself renders (device flow and errors), from our templates: no script,
 * labelled inputs, every piece of text escaped. The forms are rebuilt rather than taking the
 * provider's ready-made markup, which carries inline event handlers.
 */

/** A user code that came in `verification_uri_complete`, to prefill the input with. */
export const prefilledUserCodes = new WeakMap<IncomingMessage, string>()

function send(ctx: KoaContextWithOIDC, markup: string): void {
  ctx.set(PAGE_HEADERS as Record<string, string>)
  ctx.body = markup
}

const xsrfOf = (ctx: KoaContextWithOIDC): string =>
  (ctx.oidc.session?.state as { secret?: string } | undefined)?.secret ?? ''

function userCodeError(error: Error | undefined): string | undefined {
  if (!error) return undefined
  switch (error.name) {
    case 'NoCodeError':
      return 'Enter the code.'
    case 'NotFoundError':
    case 'ExpiredError':
    case 'AlreadyUsedError':
      return 'That code is not valid, or has expired or been used. Check it, or start again on your device.'
    case 'AbortedError':
      return 'The sign-in was cancelled. Start again on your device if you want to sign in.'
    default:
      return 'This request could not be completed. Start again on your device.'
  }
}

type DeviceFlowPages = Required<
  Pick<
    NonNullable<NonNullable<Configuration['features']>['deviceFlow']>,
    'userCodeInputSource' | 'userCodeConfirmSource' | 'successSource'
  >
>

export const deviceFlowPages: DeviceFlowPages = {
  userCodeInputSource(ctx, _form, _out, error) {
    const message = userCodeError(error)
    const action = ctx.oidc.urlFor('code_verification')
    const prefilled = prefilledUserCodes.get(ctx.req)
    send(
      ctx,
      userCodePage({
        action,
        xsrf: xsrfOf(ctx),
        userCode: prefilled,
        ...(message ? { error: message } : {}),
      }),
    )
  },
  userCodeConfirmSource(ctx, _form, client, _deviceInfo, userCode) {
    const action = ctx.oidc.urlFor('code_verification')
    const clientName = client.clientName ?? client.clientId
    send(ctx, confirmPage({ action, xsrf: xsrfOf(ctx), userCode, clientName }))
  },
  successSource(ctx) {
    const client = ctx.oidc.client
    send(ctx, successPage(client?.clientName ?? client?.clientId ?? 'The application'))
  },
}

/** Errors shown to a browser: the OAuth error code and its description, escaped. */
export const renderError: NonNullable<Configuration['renderError']> = (ctx, out) => {
  const description = out.error_description ?? 'The request could not be completed.'
  send(ctx, messagePage('Something went wrong', `${description} (${out.error})`))
}

type SignOutPages = Required<
  Pick<
    NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>,
    'logoutSource' | 'postLogoutSuccessSource'
  >
>

/**
 * RP-initiated logout: the provider's own page asks for a click and submits with an inline
 * script; ours submits at once with a script allowed by its hash, ending the whole session.
 */
export const signOutPages: SignOutPages = {
  logoutSource(ctx) {
    ctx.set(pageHeaders(SIGN_OUT_SCRIPT) as Record<string, string>)
    ctx.body = signOutPage({ action: ctx.oidc.urlFor('end_session_confirm'), xsrf: xsrfOf(ctx) })
  },
  postLogoutSuccessSource(ctx) {
    send(ctx, messagePage('You are signed out', 'You can close this page.'))
  },
}
