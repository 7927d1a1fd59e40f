// Headless Chromium for end-to-end tests: one browser per test file, a fresh context per user, CSP
// violations and page errors fail the test, a screenshot of every open page is saved on failure.
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
export const INSTALL = 'apt-get install -y --no-install-recommends chromium'
export const WAIT_MS = 5000
export const PASSWORD = 'correct horse battery'
export const PHONE = { width: 360, height: 740 }
export const DESKTOP = { width: 1280, height: 800 }

/** False (and the file is skipped, or failed under CI) when Chromium is missing. */
export function hasChromium(t: Test): boolean {
  if (existsSync(CHROMIUM)) return true
  if (process.env.CI) t.fail(`${CHROMIUM} is missing; install it with: ${INSTALL}`)
  else t.plan(0, `${CHROMIUM} is missing; install it with: ${INSTALL}`)
  return false
}

export function useBrowser(t: Test, screenshotDir: string) {
  let browser: Browser | undefined
  let contexts = 0
  t.before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 15_000,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run']
    })
  })
  t.teardown(() => browser?.close())

  /** A fresh profile (own cookies). Pages opened in it are watched and photographed on failure. */
  async function newContext(t: Test, options: BrowserContextOptions = {}): Promise<BrowserContext> {
    if (!browser) throw new Error('the browser did not start')
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: DESKTOP, ...options })
    context.setDefaultTimeout(WAIT_MS)
    context.setDefaultNavigationTimeout(2 * WAIT_MS)
    const pages: Page[] = []
    const id = ++contexts
    context.on('page', (page) => {
      pages.push(page)
      page.on('pageerror', (err) => t.fail(`page error: ${err.message}`))
      page.on('console', (msg) => {
        if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) t.fail(`CSP violation: ${msg.text()}`)
      })
    })
    t.teardown(async () => {
      await photographOnFailure(t, pages, screenshotDir, `c${id}`)
      await context.close()
    })
    return context
  }
  return { newContext }
}

/**
 * When `t` failed: a full-page screenshot of each page into `dir`, each path printed in the test's
 * output (a TAP comment), so a failure on CI shows what the user saw.
 */
export async function photographOnFailure(t: Test, pages: Page[], dir: string, tag: string) {
  if (t.passing()) return
  mkdirSync(dir, { recursive: true })
  const name = t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
  for (const [i, page] of pages.entries()) {
    const path = join(dir, `${name}-${tag}-p${i}.png`)
    const saved = await page.screenshot({ path, fullPage: true }).then(() => true, () => false)
    if (saved) t.comment(`screenshot of the failed page: ${path}`)
  }
}

/** Registers through the login view and waits until the chat is connected with lobby joined. */
export async function registerInUi(page: Page, origin: string, username: string) {
  await page.goto(origin + '/')
  await page.getByTestId('login-view').waitFor()
  await page.getByTestId('login-mode-toggle').click()
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(PASSWORD)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('chat-view').waitFor()
  await connected(page)
}

/** The socket is open and the current room joined (no reconnect banner, no join pending). */
export async function connected(page: Page) {
  await page.getByTestId('reconnecting-notice').waitFor({ state: 'detached' })
  await page.locator('[data-testid="chat-view"][data-link="open"][data-room-status="joined"]').waitFor()
}

export async function send(page: Page, text: string) {
  await page.getByTestId('composer-input').fill(text)
  await page.getByTestId('composer-input').press('Enter')
}

/** The delivered messages (not pending ones) whose text is exactly `text`. */
export const message = (page: Page, text: string) =>
  page.getByTestId('message').filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) })

export async function openRoom(page: Page, room: string) {
  const entry = page.locator(`[data-testid="room-entry"][data-room="${room}"]`)
  if (!(await entry.isVisible())) await page.getByTestId('show-rooms').click()
  await entry.click()
  await page.getByTestId('chat-room').filter({ hasText: `#${room}` }).waitFor()
}
