/// <reference lib="dom" />
// End to end in headless Chromium, issue 7: the idle "I'm still here" button keeps a user connected;
// a 320 px screen has no control cut off, in any pane.
import { join } from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { startServer } from './helpers/server.js'
import { hasChromium, message, registerInUi, send, useBrowser, WAIT_MS } from './helpers/chromium-page.js'

/** Controls whose content is cut off (wider than their box) or that stick out of the viewport. */
async function truncated(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = []
    for (const el of document.querySelectorAll<HTMLElement>('button, input, a, label')) {
      if (el.offsetParent === null || el.closest('.visually-hidden, .chat__app')) continue
      const box = el.getBoundingClientRect()
      // A text field scrolls its own text; every other control must show all of its label.
      const cut = el.tagName !== 'INPUT' && el.scrollWidth > el.clientWidth + 1
      if (cut || box.right > window.innerWidth + 1 || box.left < -1) {
        out.push(`${el.dataset.testid ?? el.textContent ?? el.tagName} (${el.scrollWidth}/${el.clientWidth}, ${box.left}-${box.right})`)
      }
    }
    return out
  })
}

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-ui-small-screenshots'))

  t.test("the idle warning's \"I'm still here\" keeps the user connected", async (t) => {
    const { origin } = await startServer(t, { idleWarnMs: 1000, idleKickMs: 4000 })
    const page = await (await newContext(t)).newPage()
    await registerInUi(page, origin, 'carol')
    const since = Date.now()
    await page.getByTestId('idle-notice').waitFor({ timeout: 2 * WAIT_MS })
    await page.getByTestId('still-here').click()
    await page.getByTestId('idle-notice').waitFor({ state: 'detached' })
    // Past the moment the first kick was due: still connected.
    await page.waitForTimeout(Math.max(0, since + 4500 - Date.now()))
    t.equal(await page.getByTestId('login-view').count(), 0, 'not sent back to the login')
    t.equal(await page.getByTestId('chat-view').getAttribute('data-link'), 'open', 'still connected')
  })

  t.test('at 320 px no control is cut off, in any pane', async (t) => {
    const { origin } = await startServer(t)
    const context = await newContext(t, { viewport: { width: 320, height: 640 } })
    const page = await context.newPage()
    await registerInUi(page, origin, 'a-rather-long-user-name-here')
    await send(page, 'long: Donaudampfschifffahrtsgesellschaftskapitän')
    await message(page, 'long: Donaudampfschifffahrtsgesellschaftskapitän').waitFor()
    t.same(await truncated(page), [], 'chat pane')
    await page.getByTestId('composer-input').fill('x'.repeat(1000))
    t.same(await truncated(page), [], 'with the counter showing')
    await page.getByTestId('show-rooms').click()
    t.same(await truncated(page), [], 'rooms pane')
    await page.getByTestId('room-entry').first().click()
    await page.getByTestId('show-members').click()
    t.same(await truncated(page), [], 'members pane')
    await context.setOffline(true)
    await page.getByText('Back to chat').click()
    await page.getByTestId('reconnecting-notice').waitFor()
    t.same(await truncated(page), [], 'offline banner')
    await context.setOffline(false)
  })
}
