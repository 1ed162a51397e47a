import { html, page } from '../idp/views/html.js'
import { credentialFields, errorLine } from '../idp/views/pages.js'

/** The first person's form: their account with the embedded issuer, which becomes Administrator. */
export function setupPage(form: {
  action: string
  email?: string
  name?: string
  error?: string
}): string {
  return page(
    'Set up OpenCentral',
    html`${errorLine(form.error)}
      <p>Create the first account. It becomes the application's Administrator.</p>
      <form method="post" action="${form.action}">
        <label for="name">Your name</label>
        <input id="name" name="name" type="text" autocomplete="name" value="${form.name ?? ''}" />
        ${credentialFields(form.email, 'new-password')}
        <button type="submit">Create account</button>
      </form>`,
  )
}

/** One click from here reaches the issuer's sign-in form, the email already filled in. */
export function setupDonePage(email: string): string {
  const signIn = `/ui/sign-in?${new URLSearchParams({ login_hint: email })}`
  return page(
    'You are the Administrator',
    html`<p><strong>${email}</strong> can now sign in and administer OpenCentral.</p>
      <p><a href="${signIn}">Sign in to OpenCentral</a></p>`,
  )
}
