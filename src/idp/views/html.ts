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

/** Pages carry no script at all; the one stylesheet is allowed by its hash. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it Chromium sends `Origin: null` on form posts, which the login-CSRF check refuses.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
}

/**
 * Built outside the page template: the CSP hash covers the element's exact text, and a formatter
 * (Prettier formats html`` templates) would put whitespace around it inside the template.
 */
const STYLE_ELEMENT = new Html(`<style>${STYLE}</style>`)

/** A whole page around `body`. */
export function page(title: string, body: Html): string {
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
      </body>
    </html> `.markup
}
