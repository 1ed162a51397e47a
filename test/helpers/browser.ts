/**
 * A minimal browser for the identity provider's pages: keeps cookies, follows redirects one by
 * one, and reads the forms of a page the way a person would fill them in. No script runs (the
 * pages have none).
 */
export interface Page {
  status: number
  url: string
  headers: Headers
  html: string
}

export interface Form {
  action: string
  /** Hidden inputs with their values. */
  hidden: Record<string, string>
  /** Names of the inputs a person types into, each with a <label for=…>. */
  labelled: string[]
}

const decode = (text: string): string =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

const attribute = (tag: string, name: string): string | undefined => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag)
  return match ? decode(match[1] as string) : undefined
}

export class Browser {
  private readonly cookies = new Map<string, string>()

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const at = pair!.indexOf('=')
      const name = pair!.slice(0, at).trim()
      const value = pair!.slice(at + 1).trim()
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    })
    this.remember(response)
    return response
  }

  /** Sends the request, then follows redirects (GET) until a page answers. */
  private async visit(url: string, init: RequestInit): Promise<Page> {
    let response = await this.send(url, init)
    let current = url
    for (let hops = 0; response.status >= 300 && response.status < 400; hops++) {
      if (hops > 10) throw new Error('too many redirects')
      await response.arrayBuffer()
      current = new URL(response.headers.get('location') ?? '', current).href
      response = await this.send(current, { method: 'GET' })
    }
    return {
      status: response.status,
      url: current,
      headers: response.headers,
      html: await response.text(),
    }
  }

  get(url: string): Promise<Page> {
    return this.visit(url, { method: 'GET' })
  }

  /** Submits a form with its hidden fields plus `fields` (what the person typed or clicked). */
  submit(page: Page, form: Form, fields: Record<string, string>): Promise<Page> {
    return this.visit(new URL(form.action, page.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.hidden, ...fields }).toString(),
    })
  }
}

/** The first form of a page. */
export function formOf(page: Page): Form {
  const open = /<form\b[^>]*>/.exec(page.html)
  if (!open) throw new Error(`no form on the page:\n${page.html}`)
  const end = page.html.indexOf('</form>', open.index)
  const body = page.html.slice(open.index, end)
  const hidden: Record<string, string> = {}
  const labelled: string[] = []
  for (const [tag] of body.matchAll(/<input\b[^>]*>/g)) {
    const name = attribute(tag, 'name')
    if (!name) continue
    if (attribute(tag, 'type') === 'hidden') hidden[name] = attribute(tag, 'value') ?? ''
    else {
      const id = attribute(tag, 'id')
      if (id && body.includes(`<label for="${id}">`)) labelled.push(name)
    }
  }
  return { action: attribute(open[0], 'action') ?? page.url, hidden, labelled }
}

/**
 * What a person does after `opencentral login` (or any device flow) printed a code: opens the
 * verification page, types the code, confirms it, and signs in. Returns the last page shown.
 */
export async function signInWithDeviceCode(
  browser: Browser,
  verificationUri: string,
  userCode: string,
  credentials: { email: string; password: string },
): Promise<Page> {
  const codePage = await browser.get(verificationUri)
  const confirmPage = await browser.submit(codePage, formOf(codePage), { user_code: userCode })
  const signInPage = await browser.submit(confirmPage, formOf(confirmPage), {})
  return browser.submit(signInPage, formOf(signInPage), credentials)
}
