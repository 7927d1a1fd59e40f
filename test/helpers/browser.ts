// Headless Chromium for security tests: launch (or skip without it), and a page watcher that
// records dialogs, page errors and CSP violations.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { photographOnFailure } from './chromium-page.js'

const SCREENSHOTS = join(import.meta.dirname, '..', 'e2e-screenshots')
let contexts = 0

export const CHROMIUM = '/usr/bin/chromium'
const INSTALL = 'apt-get install -y --no-install-recommends chromium'
// Generous: the machine is shared and often loaded.
export const WAIT_MS = 15_000

/** True when Chromium is there; otherwise plans the file as skipped (or fails it under CI=true). */
export function haveChromium(t: Test): boolean {
  if (existsSync(CHROMIUM)) return true
  if (process.env.CI) t.fail(`${CHROMIUM} is missing; install it with: ${INSTALL}`)
  else t.plan(0, `${CHROMIUM} is missing; install it with: ${INSTALL}`)
  return false
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run']

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 15_000, args: CHROMIUM_ARGS })
}

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
