import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's chromium, installed by .ci/run with apt; a browser is never downloaded. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

/** Why browser tests cannot run here, or false when they can. */
export const chromiumMissing: string | false = existsSync(CHROMIUM_PATH)
  ? false
  : `${CHROMIUM_PATH} is missing: install it with apt-get install -y chromium to run the browser tests`

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** Signs a person in through the application's Sign in button and the issuer's page. */
export async function signIn(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(baseUrl)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(
    (url) => !url.pathname.startsWith('/oidc') && !url.pathname.startsWith('/ui/callback'),
  )
}
