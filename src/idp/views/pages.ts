import { html, page, type Html } from './html.js'

export const errorLine = (message: string | undefined): Html | string =>
  message ? html`<p class="error" role="alert">${message}</p>` : ''

/** Step 1 of the device flow: the code the CLI printed. */
export function userCodePage(form: {
  action: string
  xsrf: string
  userCode?: string | undefined
  error?: string
}): string {
  return page(
    'Sign in to a device',
    html`${errorLine(form.error)}
      <p>Enter the code that your device or command line shows.</p>
      <form method="post" action="${form.action}">
        <input type="hidden" name="xsrf" value="${form.xsrf}" />
        <label for="user_code">Code</label>
        <input
          id="user_code"
          name="user_code"
          type="text"
          value="${form.userCode ?? ''}"
          autocomplete="off"
          autocapitalize="characters"
          spellcheck="false"
          required
          autofocus
        />
        <button type="submit">Continue</button>
      </form>`,
  )
}

/** Step 2: the person checks the code and the application before going on. */
export function confirmPage(form: {
  action: string
  xsrf: string
  userCode: string
  clientName: string
}): string {
  return page(
    'Confirm the code',
    html`<p><strong>${form.clientName}</strong> asks to sign in with this code:</p>
      <p class="code">${form.userCode}</p>
      <p>Continue only if your device shows the same code. If you did not start this, cancel.</p>
      <form method="post" action="${form.action}">
        <input type="hidden" name="xsrf" value="${form.xsrf}" />
        <input type="hidden" name="user_code" value="${form.userCode}" />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit">Continue</button>
        <button type="submit" name="abort" value="yes" class="secondary">Cancel</button>
      </form>`,
  )
}

/** Email and password inputs; `new-password` lets the browser offer to make one up. */
export function credentialFields(
  email: string | undefined,
  passwordAutocomplete: 'current-password' | 'new-password',
): Html {
  return html`<label for="email">Email</label>
    <input
      id="email"
      name="email"
      type="email"
      autocomplete="username"
      value="${email ?? ''}"
      required
      autofocus
    />
    <label for="password">Password</label>
    <input
      id="password"
      name="password"
      type="password"
      autocomplete="${passwordAutocomplete}"
      required
    />`
}

/** Step 3 (and the browser sign-in): email and password. */
export function signInPage(form: {
  action: string
  clientName: string
  email?: string
  error?: string
}): string {
  return page(
    'Sign in',
    html`${errorLine(form.error)}
      <p>to continue to <strong>${form.clientName}</strong></p>
      <form method="post" action="${form.action}">
        ${credentialFields(form.email, 'current-password')}
        <button type="submit">Sign in</button>
        <button type="submit" name="cancel" value="yes" class="secondary" formnovalidate>
          Cancel
        </button>
      </form>`,
  )
}

export function successPage(clientName: string): string {
  return page(
    'You are signed in',
    html`<p>${clientName} is signed in. You can close this page and return to your device.</p>`,
  )
}

export function messagePage(title: string, message: string): string {
  return page(title, html`<p>${message}</p>`)
}

/** Submits the sign-out form at once; the button stays for a browser that runs no script. */
export const SIGN_OUT_SCRIPT = "document.getElementById('sign-out').submit()"

/** Ending the issuer's session (RP-initiated logout): a form posted to the issuer itself. */
export function signOutPage(form: { action: string; xsrf: string }): string {
  return page(
    'Signing out',
    html`<p>Signing you out of OpenCentral…</p>
      <form id="sign-out" method="post" action="${form.action}">
        <input type="hidden" name="xsrf" value="${form.xsrf}" />
        <input type="hidden" name="logout" value="yes" />
        <button type="submit">Sign out</button>
      </form>`,
    SIGN_OUT_SCRIPT,
  )
}
