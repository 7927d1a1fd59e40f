/// <reference lib="dom" />
// End to end in headless Chromium, issue 7: grouping, the new-messages pill and the title count, the
// idle "I'm still here" button keeping a user connected, and a 320 px screen with nothing cut off.
import { join } from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { startServer } from './helpers/server.js'
import { connected, hasChromium, message, registerInUi, send, useBrowser, WAIT_MS } from './helpers/chromium-page.js'

t.setTimeout(300_000)

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
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-ui-screenshots'))

  t.test('grouping, the new-messages pill and the unread count in the title', async (t) => {
    const { origin } = await startServer(t, { messageRatePerSec: 100 })
    const alice = await (await newContext(t)).newPage()
    const bob = await (await newContext(t)).newPage()
    await registerInUi(alice, origin, 'alice')
    await registerInUi(bob, origin, 'bob')
    for (const text of ['one', 'two', 'three']) await send(alice, text)
    await send(bob, 'reply')
    await message(alice, 'reply').waitFor()
    const groups = alice.getByTestId('message-group')
    t.equal(await groups.count(), 2, 'three messages in a row make one group, the reply another')
    t.equal(await groups.nth(0).getByTestId('message').count(), 3)
    t.equal(await groups.nth(0).getByTestId('message-group-user').textContent(), 'You', 'own group: no repeated name')
    t.ok(await groups.nth(0).getByTestId('message-group-user').evaluate((el) => el.getBoundingClientRect().width <= 1), 'own name is not shown')
    t.equal(await groups.nth(1).getByTestId('message-group-user').textContent(), 'bob')
    t.equal(await alice.locator('[data-testid="message-group"] [class*="avatar"]').count(), 1, 'one avatar for bob')

    // Bob scrolls up; new messages do not pull him down but show a pill.
    for (let i = 0; i < 40; i++) await send(alice, `filler ${i}`)
    await message(bob, 'filler 39').waitFor()
    await bob.getByTestId('message-list').evaluate((el) => el.scrollTo({ top: 0 }))
    await bob.getByTestId('message-list').evaluate((el) => el.dispatchEvent(new Event('scroll')))
    await send(alice, 'while you read')
    await send(alice, 'and more')
    await bob.getByTestId('new-messages').filter({ hasText: '2 new messages' }).waitFor()
    t.pass('the pill counts 2 new messages')
    await bob.getByTestId('new-messages').click()
    await bob.getByTestId('new-messages').waitFor({ state: 'detached' })
    t.ok(await bob.getByTestId('message-list').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 50), 'at the bottom')

    // In another room, lobby messages count in the tab title.
    await bob.getByTestId('room-name').fill('quiet')
    await bob.getByTestId('room-create').click()
    await connected(bob)
    await send(alice, 'psst')
    await bob.waitForFunction(() => document.title === '(1) Parley')
    t.pass('the title shows the unread count')
    await bob.locator('[data-testid="room-entry"][data-room="lobby"]').click()
    await bob.waitForFunction(() => document.title === 'Parley')
    t.pass('reading the room clears it')
  })

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
