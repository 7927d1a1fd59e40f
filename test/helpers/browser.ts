// Headless Chromium for security tests: a page watcher that records dialogs, page errors and CSP
// violations (launching, or skipping without Chromium, is chromium-page.ts's).
import { join } from 'node:path'
import type { Test } from 'tap'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { photographOnFailure } from './chromium-page.js'

const SCREENSHOTS = join(import.meta.dirname, '..', 'e2e-screenshots')
let contexts = 0

// Generous: the machine is shared and often loaded.
export const WAIT_MS = 15_000

// One place knows where Chromium is and how it starts (chromium-page.ts); these names stay for the security tests.
export { CHROMIUM, CHROMIUM_ARGS, hasChromium as haveChromium, launchChromium, sharedChromium } from './chromium-page.js'

/** What went wrong in a page: dialogs (alert & co.), uncaught errors, CSP violations. */
export interface PageIncidents {
  dialogs: string[]
  errors: string[]
  csp: string[]
}

/** A fresh profile whose pages record their incidents (dialogs are dismissed, never left open). */
export async function newWatchedContext(t: Test, browser: Browser): Promise<{ context: BrowserContext; incidents: PageIncidents }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true })
  context.setDefaultTimeout(WAIT_MS)
  context.setDefaultNavigationTimeout(2 * WAIT_MS)
  const incidents: PageIncidents = { dialogs: [], errors: [], csp: [] }
  const pages: Page[] = []
  const id = ++contexts
  context.on('page', (page) => {
    pages.push(page)
    watch(page, incidents)
  })
  t.teardown(async () => {
    await photographOnFailure(t, pages, SCREENSHOTS, `c${id}`)
    await context.close()
  })
  return { context, incidents }
}

function watch(page: Page, incidents: PageIncidents) {
  page.on('dialog', (dialog) => {
    incidents.dialogs.push(`${dialog.type()}: ${dialog.message()}`)
    void dialog.dismiss().catch(() => {})
  })
  page.on('pageerror', (err) => incidents.errors.push(err.message))
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) incidents.csp.push(msg.text())
  })
}

/** Logs in (or registers) through the login view and waits until the chat is connected. */
export async function enterChat(page: Page, origin: string, username: string, password: string, register = false) {
  await page.goto(origin + '/')
  await page.getByTestId('login-view').waitFor()
  if (register) await page.getByTestId('login-mode-toggle').click()
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.locator('[data-testid="composer-input"]:enabled').waitFor()
}
