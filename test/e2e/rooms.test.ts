// End to end in headless Chromium: rooms, a network cut while others write, resume without gaps or
// doubles, offline drafting, refused reconnects explained, history on scroll-back.
import { join } from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { startServer } from '../helpers/server.js'
import { connected, hasChromium, message, openRoom, registerInUi, send, useBrowser, WAIT_MS } from '../helpers/chromium-page.js'

const SESSION_ENDED = 'Your session has ended. Please log in again.'

async function createRoom(page: Page, name: string, how: 'create' | 'join') {
  if (!(await page.getByTestId('room-name').isVisible())) await page.getByTestId('show-rooms').click()
  await page.getByTestId('room-name').fill(name)
  await page.getByTestId(how === 'create' ? 'room-create' : 'room-join').click()
  await page.getByTestId('chat-room').filter({ hasText: `#${name}` }).waitFor()
  await connected(page)
}

/** Every delivered message text in the current room, in order. */
const texts = (page: Page) => page.getByTestId('message-text').allTextContents()

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-rooms-screenshots'))

  t.test('two users in two rooms: a network cut while the other writes; every message once after', async (t) => {
    const { origin } = await startServer(t, { messageRatePerSec: 50 })
    const contextA = await newContext(t)
    const contextB = await newContext(t)
    const alice = await contextA.newPage()
    const bob = await contextB.newPage()
    await registerInUi(alice, origin, 'alice')
    await registerInUi(bob, origin, 'bob')
    await createRoom(alice, 'dev', 'create')
    await createRoom(bob, 'dev', 'join')
    await alice.getByTestId('member').filter({ hasText: 'bob' }).waitFor()
    t.pass('bob shows in the member list of dev')
    await send(alice, 'before the cut')
    await message(bob, 'before the cut').waitFor()

    await contextB.setOffline(true)
    await bob.getByTestId('reconnecting-notice').waitFor()
    t.match(await bob.getByTestId('reconnecting-notice').textContent(), /Reconnecting/)
    // Bob drafts and sends while offline: it waits, visibly, and is not lost.
    await send(bob, 'typed while offline')
    await bob.getByTestId('pending-message').filter({ hasText: 'typed while offline' }).waitFor()

    const devLines = ['dev 1', 'dev 2', 'dev 3']
    const lobbyLines = ['lobby 1', 'lobby 2']
    for (const line of devLines) await send(alice, line)
    await message(alice, 'dev 3').waitFor()
    await openRoom(alice, 'lobby')
    for (const line of lobbyLines) await send(alice, line)
    await message(alice, 'lobby 2').waitFor()

    await contextB.setOffline(false)
    await connected(bob)
    await message(bob, 'dev 3').waitFor({ timeout: 3 * WAIT_MS })
    await message(bob, 'typed while offline').waitFor()
    await bob.getByTestId('pending-message').waitFor({ state: 'detached' })
    t.same(await texts(bob), ['before the cut', ...devLines, 'typed while offline'], 'dev: every message once, in order')
    const lobbyEntry = bob.locator('[data-testid="room-entry"][data-room="lobby"]')
    t.equal(await lobbyEntry.getByTestId('room-unread').textContent(), '2', 'lobby shows 2 unread')
    await openRoom(bob, 'lobby')
    t.same(await texts(bob), lobbyLines, 'lobby: every message once')
    t.equal(await lobbyEntry.getByTestId('room-unread').count(), 0, 'opening the room clears its unread count')

    await openRoom(alice, 'dev')
    await message(alice, 'typed while offline').waitFor()
    await alice.waitForTimeout(300)
    t.equal(await message(alice, 'typed while offline').count(), 1, 'the offline message arrived once')
  })

  t.test('a session ended while offline: back to the login with the reason; the unsent text is named', async (t) => {
    const { origin } = await startServer(t)
    const context = await newContext(t)
    const page = await context.newPage()
    await registerInUi(page, origin, 'erin')
    await context.setOffline(true)
    await page.getByTestId('reconnecting-notice').waitFor()
    await send(page, 'lost words')
    // The session ends meanwhile (another tab logs out; the request API is not cut off).
    t.equal((await context.request.post(origin + '/api/logout', { headers: { origin } })).status(), 204)
    await context.setOffline(false)
    await page.getByTestId('login-view').waitFor({ timeout: 3 * WAIT_MS })
    const notice = await page.getByTestId('login-notice').textContent()
    t.match(notice, SESSION_ENDED)
    t.match(notice, /Not sent: “lost words”/, 'the message typed offline is clearly marked as not sent')
  })
}
