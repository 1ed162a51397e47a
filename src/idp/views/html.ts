import { createHash } from 'node:crypto'

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** Markup built by these templates; anything else that goes into a page is escaped. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup
  }
}

/** Tagged template: interpolated strings are escaped, `Html` values and arrays of them are not. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? ''
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '')
  })
  return new Html(out)
}

function render(value: unknown): string {
  if (value instanceof Html) return value.markup
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === null || value === undefined || value === false) return ''
  return escapeHtml(String(value))
}

const STYLE = `
body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1b1d21;margin:0;padding:48px 16px}
main{max-width:360px;margin:0 auto;background:#fff;border-radius:8px;padding:24px 28px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4em;font-weight:600;margin:0 0 16px}
label{display:block;font-weight:500;margin:12px 0 4px}
input{width:100%;box-sizing:border-box;font-size:1em;padding:8px;border:1px solid #b6bac2;border-radius:4px}
button{margin-top:20px;width:100%;font-size:1em;padding:10px;border:0;border-radius:4px;background:#0f62d6;color:#fff;cursor:pointer}
button.secondary{background:none;color:#4a4f58;margin-top:8px}
.error{color:#b3261e;font-weight:500}
.code{font-family:ui-monospace,monospace;font-size:1.6em;letter-spacing:.1em;text-align:center}
`

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/** Pages carry no script, except one fixed script a page may name (allowed by its hash). */
function contentSecurityPolicy(script?: string): string {
  return [
    "default-src 'none'",
    `style-src ${sha256(STYLE)}`,
    ...(script ? [`script-src ${sha256(script)}`] : []),
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
}

/** The headers of a page; `script` is the text of the one inline script it runs, if any. */
export function pageHeaders(script?: string): Readonly<Record<string, string>> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicy(script),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // Not no-referrer: with it Chromium sends `Origin: null` on form posts, which the login-CSRF check refuses.
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
  }
}

export const PAGE_HEADERS = pageHeaders()

/**
 * Built outside the page template: the CSP hash covers the element's exact text, and a formatter
 * (Prettier formats html`` templates) would put whitespace around it inside the template.
 */
const STYLE_ELEMENT = new Html(`<style>${STYLE}</style>`)

/** A whole page around `body`, with `script` (fixed text, allowed by its hash) at its end. */
export function page(title: string, body: Html, script?: string): string {
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · OpenCentral</title>
        ${STYLE_ELEMENT}
      </head>
      <body>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
        ${script ? new Html(`<script>${script}</script>`) : ''}
      </body>
    </html> `.markup
}
