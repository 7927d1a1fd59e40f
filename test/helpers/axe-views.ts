/// <reference lib="dom" />
// axe-core over every view of the page (login, chat, idle warning, panes, offline) at one screen
// size: 0 violations. axe is injected with addScriptTag in a context that bypasses the CSP.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Frame, Page } from 'playwright-core'
import { startServer } from './server.js'
import { connected, DESKTOP, hasChromium, message, PHONE, registerInUi, send, useBrowser, WAIT_MS } from './chromium-page.js'

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

/** Runs axe on the page (or one frame, its iframes left to their own run) as it is now; every violation is reported with its nodes. */
export async function axe(t: Test, page: Page | Frame, view: string) {
  await page.addScriptTag({ path: AXE })
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'], iframes: false })
    return result.violations.map((v: any) => `${v.id}: ${v.help} -> ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`)
  })
  t.same(violations, [], `axe: no violations (${view})`)
}

/** The axe pass over every view at one screen size, as one test file's content. */
export function axeEveryView(size: 'desktop' | 'phone') {
  if (!hasChromium(t)) return
  const { newContext } = useBrowser(t, join(import.meta.dirname, '..', `e2e-ui-${size}-screenshots`))
  const viewport = size === 'phone' ? PHONE : DESKTOP
  {
    t.test(`axe finds no violations on any view (${size})`, async (t) => {
      const { origin } = await startServer(t, { idleWarnMs: 1500, idleKickMs: 600_000, messageRatePerSec: 50 })
      const context = await newContext(t, { bypassCSP: true, viewport })
      const page = await context.newPage()
      await page.goto(origin + '/')
      await page.getByTestId('login-view').waitFor()
      await axe(t, page, 'login')
      await registerInUi(page, origin, 'alice')
      const other = await (await newContext(t)).newPage()
      await registerInUi(other, origin, 'bob')
      await send(other, 'hello @alice, see https://example.com')
      await send(other, '🎉')
      await send(page, 'hi bob')
      await message(page, 'hi bob').waitFor()
      await axe(t, page, 'chat')
      await page.getByTestId('idle-notice').waitFor({ timeout: 3 * WAIT_MS })
      await axe(t, page, 'idle warning')
      await page.getByTestId('still-here').click()
      if (size === 'phone') {
        await page.getByTestId('show-rooms').click()
        await axe(t, page, 'rooms pane')
        await page.getByTestId('room-entry').first().click()
        await page.getByTestId('show-members').click()
        await page.getByTestId('member-list').waitFor()
        await axe(t, page, 'members pane')
        await page.getByText('Back to chat').click()
      }
      await context.setOffline(true)
      await page.getByTestId('reconnecting-notice').waitFor()
      await page.getByTestId('composer-input').fill('draft while offline')
      await axe(t, page, 'offline')
      await context.setOffline(false)
      await connected(page)
    })
  }
}
