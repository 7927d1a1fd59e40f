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

/**
 * The fonts Chromium draws with: the machine's own (Noto Sans where fonts-noto-core is installed), or
 * DejaVu only, as on a bare Debian. DejaVu Sans is wider, so a layout test runs under both.
 */
export type Fonts = 'system' | 'dejavu'
export const FONTS: readonly Fonts[] = ['system', 'dejavu']
const FONTCONFIG: Record<Fonts, string | undefined> = {
  system: undefined,
  dejavu: join(import.meta.dirname, 'dejavu-only.fonts.conf')
}

/** False (and the file is skipped, or failed under CI) when Chromium is missing. */
export function hasChromium(t: Test): boolean {
  if (existsSync(CHROMIUM)) return true
  if (process.env.CI) t.fail(`${CHROMIUM} is missing; install it with: ${INSTALL}`)
  else t.plan(0, `${CHROMIUM} is missing; install it with: ${INSTALL}`)
  return false
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run']

/** Headless Chromium drawing with `fonts` (the machine's own by default). */
export function launchChromium(fonts: Fonts = 'system'): Promise<Browser> {
  const fontconfig = FONTCONFIG[fonts]
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 15_000,
    args: CHROMIUM_ARGS,
    ...(fontconfig && { env: { ...process.env, FONTCONFIG_FILE: fontconfig } })
  })
}

/** One Chromium for a test file: launched before its tests, closed after them. */
export function sharedChromium(t: Test): () => Browser {
  let browser: Browser | undefined
  t.before(async () => {
    browser = await launchChromium()
  })
  t.teardown(() => browser?.close())
  return () => {
    if (!browser) throw new Error('Chromium did not start')
    return browser
  }
}

export function useBrowser(t: Test, screenshotDir: string) {
  // One browser per font set-up, the system one started before the tests, the other on first use.
  const browsers = new Map<Fonts, Promise<Browser>>()
  const browser = (fonts: Fonts) => {
    if (!browsers.has(fonts)) browsers.set(fonts, launchChromium(fonts))
    return browsers.get(fonts)!
  }
  let contexts = 0
  t.before(async () => {
    await browser('system')
  })
  t.teardown(async () => {
    for (const started of browsers.values()) await (await started.catch(() => undefined))?.close()
  })

  /**
   * A fresh profile (own cookies), drawn with `fonts` (the machine's own by default). Pages opened in
   * it are watched and photographed on failure.
   */
  async function newContext(t: Test, { fonts = 'system', ...options }: BrowserContextOptions & { fonts?: Fonts } = {}): Promise<BrowserContext> {
    const context = await (await browser(fonts)).newContext({ ignoreHTTPSErrors: true, viewport: DESKTOP, ...options })
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

/** The font families Chromium really drew the element's text with (not the CSS stack it asked for). */
export async function renderedFonts(page: Page, selector: string): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page)
  try {
    await cdp.send('DOM.enable')
    await cdp.send('CSS.enable')
    const { root } = await cdp.send('DOM.getDocument')
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector })
    if (!nodeId) throw new Error(`no element matches ${selector}`)
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId })
    return fonts.map((f) => f.familyName)
  } finally {
    await cdp.detach()
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
