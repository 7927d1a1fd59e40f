// The widget's browser tests: a chat server (https://localhost:P1) and a host site on another site
// (https://127.0.0.1:P2, strict CSP, from scripts/demo-host.ts) that embeds it, and page helpers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { chromium, type BrowserContext, type Frame, type FrameLocator, type Page } from 'playwright-core'
import { CHROMIUM, CHROMIUM_ARGS, WAIT_MS } from './browser.js'
export { sharedChromium } from './chromium-page.js'
import { startServer, testConfig, type TestServer } from './server.js'
import { loadTlsMaterial } from '../../lib/transport/tls-material.js'
import type { Config } from '../../lib/shared/config.js'
import { startHostSite, type HostSite } from '../../scripts/demo-host.js'

export const SECRET = 's'.repeat(40)

export interface WidgetWorld {
  server: TestServer
  /** In EMBED_ORIGINS, with a signing secret and guests allowed. */
  host: HostSite
  /** Not in EMBED_ORIGINS. */
  stranger: HostSite
  /** The chat origin as the host page names it (localhost: another site than 127.0.0.1). */
  chatOrigin: string
}

/** `siteRooms`: the host site's rooms (EMBED_ROOMS), made by the server at start. */
export async function startWidgetWorld(t: Test, overrides: Partial<Config> = {}, siteRooms: string[] = []): Promise<WidgetWorld> {
  let chatOrigin = ''
  // The host site's own certificate (the browser ignores HTTPS errors for both), in a directory of
  // its own: t.testdir() belongs to startServer, whose close must run before the test dir goes
  // (a second t.testdir() call wipes it, a live server's DATA_DIR with it, and registering it
  // first removed the dir before the server's close wrote to it: a teardown error, then a hang).
  const tlsDir = mkdtempSync(join(tmpdir(), 'parley-host-tls-'))
  t.teardown(() => rmSync(tlsDir, { recursive: true, force: true }))
  const tls = await loadTlsMaterial(testConfig(tlsDir))
  const host = await startHostSite({ chatOrigin: () => chatOrigin, cert: tls.cert, key: tls.key, secret: SECRET })
  const stranger = await startHostSite({ chatOrigin: () => chatOrigin, cert: tls.cert, key: tls.key })
  t.teardown(() => host.close())
  t.teardown(() => stranger.close())
  const server = await startServer(t, {
    embedOrigins: [host.origin],
    embedSecrets: { [host.origin]: SECRET },
    embedGuests: [host.origin],
    embedRooms: siteRooms.map((name) => ({ site: host.origin, name })),
    ...overrides
  })
  chatOrigin = `https://localhost:${server.port}`
  return { server, host, stranger, chatOrigin }
}

/** An init script: the launcher's closed shadow root is made open, for the test to look inside. */
export function openShadows() {
  const attach = Element.prototype.attachShadow
  Element.prototype.attachShadow = function (init: ShadowRootInit) {
    return attach.call(this, { ...init, mode: 'open' })
  }
}

export const launcher = (page: Page) => page.locator('[data-parley-widget] button.launcher')
export const badge = (page: Page) => page.locator('[data-parley-widget] .badge')
export const panel = (page: Page) => page.locator('[data-parley-widget] .panel')
export const widgetFrame = (page: Page): FrameLocator => page.frameLocator('[data-parley-widget] iframe')
/** The iframe's Frame (for evaluate), once it exists. */
export async function chatFrame(page: Page): Promise<Frame> {
  const handle = await page.locator('[data-parley-widget] iframe').elementHandle()
  const frame = await handle?.contentFrame()
  if (!frame) throw new Error('no widget iframe')
  return frame
}

/** The names of the events the host page's queued listeners recorded. */
export const events = (page: Page) => page.evaluate(() => (window as any).parleyEvents.map((e: any) => e.name) as string[])

/** Opens the widget and chats as a guest; resolves once the message input is usable. */
export async function chatAsGuest(page: Page) {
  if ((await launcher(page).getAttribute('aria-expanded')) !== 'true') await launcher(page).click()
  await widgetFrame(page).getByTestId('widget-guest').click()
  await widgetFrame(page).locator('[data-testid="composer-input"]:enabled').waitFor()
}

/**
 * A browser that keeps no cookie of the chat site inside the embed. Chromium 156 blocks unpartitioned
 * third-party cookies (also by default here; `--test-third-party-cookie-phaseout` makes it explicit), but
 * no launch flag turns partitioned (CHIPS) cookies off: the `PartitionedCookies` feature is gone. So the
 * profile also carries a per-site block for the chat host, as a user's "block cookies of this site" would.
 */
export async function launchCookieBlockingContext(t: Test): Promise<BrowserContext> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-nocookies-'))
  mkdirSync(join(dir, 'Default'))
  const block = { profile: { content_settings: { exceptions: { cookies: { '[*.]localhost,*': { setting: 2 } } } } } }
  writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify(block))
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 15_000,
    ignoreHTTPSErrors: true,
    args: [...CHROMIUM_ARGS, '--test-third-party-cookie-phaseout']
  })
  context.setDefaultTimeout(WAIT_MS)
  t.teardown(async () => {
    await context.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return context
}

/** From inside a frame: can a script there keep a partitioned cookie at all? ('' when blocked) */
export const probeCookie = (frame: Frame) =>
  frame.evaluate(() => {
    document.cookie = 'probe=1; Secure; SameSite=None; Partitioned; Path=/'
    return document.cookie
  })
