/// <reference lib="dom" />
// End to end in headless Chromium, issue 7: the idle "I'm still here" button keeps a user connected;
// a 320 px screen has no control cut off, in any pane, with the machine's fonts and with DejaVu only.
import { join } from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { startServer } from '../helpers/server.js'
import { FONTS, hasChromium, message, registerInUi, renderedFonts, send, useBrowser, WAIT_MS } from '../helpers/chromium-page.js'

/**
 * What is cut off: a control, heading, name or time wider than its box or outside the viewport, a
 * time or button label wrapped onto a second line, a placeholder longer than its field, a control
 * covering (or covered by) another one, a page wider than the screen (it scrolls sideways).
 */
async function truncated(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = []
    const measure = document.createElement('canvas').getContext('2d')!
    const controls: [string, DOMRect][] = []
    const page = document.documentElement
    if (page.scrollWidth > window.innerWidth) out.push(`the page is wider than the screen (${page.scrollWidth} px)`)
    const selector = 'button, input, a, label, time, h1, h2, .group__user, .room__name, .member__name, .composer__counter, [data-testid="chat-user"]'
    for (const el of document.querySelectorAll<HTMLElement>(selector)) {
      // Visually hidden on purpose (for screen readers only): not on screen to be cut.
      if (el.offsetParent === null || el.closest('.visually-hidden, .chat__app') || getComputedStyle(el).clipPath === 'inset(50%)') continue
      const box = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      const name = `${el.dataset.testid ?? el.tagName} "${(el.textContent ?? '').trim().slice(0, 30)}"`
      // A text field scrolls its own text; every other element must show all of its label.
      if (el.tagName !== 'INPUT' && el.scrollWidth > el.clientWidth + 1) out.push(`${name}: cut (${el.scrollWidth}/${el.clientWidth})`)
      if (box.right > window.innerWidth + 1 || box.left < -1) out.push(`${name}: outside the screen (${box.left}-${box.right})`)
      const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5
      // A room's entry holds its name, which wraps rather than being cut; other buttons keep one line.
      if ((el.tagName === 'TIME' || (el.tagName === 'BUTTON' && !el.querySelector('.room__name'))) && el.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom) > line * 1.5) {
        out.push(`${name}: wraps (${el.clientHeight} px high)`)
      }
      if (el.matches('button, input, a')) {
        for (const [other, r] of controls) {
          const overlap = Math.min(box.right, r.right) - Math.max(box.left, r.left) > 1 && Math.min(box.bottom, r.bottom) - Math.max(box.top, r.top) > 1
          if (overlap) out.push(`${name}: overlaps ${other}`)
        }
        controls.push([name, box])
      }
      if (el instanceof HTMLInputElement && el.placeholder) {
        measure.font = style.font
        const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
        if (measure.measureText(el.placeholder).width > room + 1) out.push(`${name}: placeholder "${el.placeholder}" cut`)
      }
    }
    return out
  })
}

/** The widest name a room can have (32 of [a-z0-9-]). */
const ROOM = 'm'.repeat(32)

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

  // DejaVu Sans (a bare Debian's only font) is wider than Noto Sans: what fits in one must fit in both.
  for (const fonts of FONTS) t.test(`at 320 px no control is cut off, in any pane (${fonts} fonts)`, async (t) => {
    const { origin } = await startServer(t)
    const context = await newContext(t, { viewport: { width: 320, height: 640 }, fonts })
    const page = await context.newPage()
    await page.goto(origin + '/')
    await page.getByTestId('login-view').waitFor()
    if (fonts === 'dejavu') t.same(await renderedFonts(page, '[data-testid="login-mode-toggle"]'), ['DejaVu Sans'], 'drawn in DejaVu Sans')
    t.same(await truncated(page), [], 'login')
    await page.getByTestId('login-mode-toggle').click()
    await page.getByTestId('login-username').fill('pаypal')
    await page.getByTestId('login-password').fill('short')
    await page.getByTestId('login-submit').click()
    t.same(await truncated(page), [], 'register with errors')
    await registerInUi(page, origin, 'a-rather-long-user-name-here')
    await page.getByTestId('show-rooms').click()
    await page.getByTestId('room-name').fill(ROOM)
    await page.getByTestId('room-create').click()
    await page.getByTestId('chat-room').filter({ hasText: `#${ROOM}` }).waitFor()
    await send(page, 'long: Donaudampfschifffahrtsgesellschaftskapitän')
    await message(page, 'long: Donaudampfschifffahrtsgesellschaftskapitän').waitFor()
    // A second person with a long name: their name and the group's time share one line at most.
    const other = await (await newContext(t, { fonts })).newPage()
    await registerInUi(other, origin, 'bartholomew_the_second_longname')
    await other.getByTestId('room-name').fill(ROOM)
    await other.getByTestId('room-join').click()
    await other.getByTestId('chat-room').filter({ hasText: `#${ROOM}` }).waitFor()
    await send(other, 'hello from the other side')
    await message(page, 'hello from the other side').waitFor()
    t.same(await truncated(page), [], 'chat pane')
    await page.getByTestId('composer-input').fill('x'.repeat(1000))
    t.same(await truncated(page), [], 'with the counter showing')
    // With a draft, Log out and Leave room ask first: the questions fit beside the other controls.
    await page.getByTestId('leave-chat').click()
    await page.getByTestId('logout-confirm').waitFor()
    t.same(await truncated(page), [], 'log out asks')
    await page.getByTestId('logout-confirm-no').click()
    await page.getByTestId('leave-room').click()
    await page.getByTestId('leave-confirm').waitFor()
    t.same(await truncated(page), [], 'leave room asks')
    await page.getByTestId('leave-confirm-no').click()
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
    // The same names in the narrow columns of a desktop: rooms | conversation | members.
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.getByTestId('reconnecting-notice').waitFor({ state: 'detached' })
    t.same(await truncated(page), [], 'desktop, all three columns')
  })
}
