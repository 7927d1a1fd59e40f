/// <reference lib="dom" />
// End to end in headless Chromium, issue 7: grouping, the new-messages pill and the title count;
// drafts kept per room; "Leave room" and "Log out" are different actions, and each asks first when
// it would drop a draft.
import { join } from 'node:path'
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { connected, hasChromium, message, openRoom, registerInUi, send, useBrowser } from '../helpers/chromium-page.js'

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
    t.equal(await groups.nth(0).locator('.group__time').count(), 1, 'the time once per group')
    t.equal(await groups.nth(1).locator('.group__user').count(), 1, 'the name once per group')
    t.equal(await groups.nth(0).getByTestId('message-group-user').textContent(), 'You', 'own group: no repeated name')
    t.ok(await groups.nth(0).getByTestId('message-group-user').evaluate((el) => el.getBoundingClientRect().width <= 1), 'own name is not shown')
    t.equal(await groups.nth(1).getByTestId('message-group-user').textContent(), 'bob')
    t.equal(await alice.locator('[data-testid="message-group"] [class*="avatar"]').count(), 1, 'one avatar for bob')

    // Bob scrolls up; new messages do not pull him down but show a pill.
    for (let i = 0; i < 40; i++) await send(alice, `filler ${i}`)
    await message(bob, 'filler 39').waitFor()
    // Dense like a conversation: one-line messages in a row were 58 px each (40 filled four screens);
    // with the name and time once per group each takes at most 40 px, like the bubbles of chat apps.
    const pitch = await bob.evaluate(() => {
      const all = [...document.querySelectorAll('[data-testid="message"]')]
        .filter((m) => /^filler \d+$/.test(m.querySelector('[data-testid="message-text"]')!.textContent!))
      return (all.at(-1)!.getBoundingClientRect().bottom - all[0]!.getBoundingClientRect().top) / all.length
    })
    const screen = await bob.getByTestId('message-list').evaluate((el) => el.clientHeight)
    t.ok(pitch <= 40, `a one-line message takes ${pitch.toFixed(1)} px (40 fill ${(40 * pitch / screen).toFixed(1)} screens of ${screen} px)`)
    await bob.getByTestId('message-list').evaluate((el) => el.scrollTo({ top: 0 }))
    await bob.getByTestId('message-list').evaluate((el) => el.dispatchEvent(new Event('scroll')))
    await send(alice, 'while you read')
    await send(alice, 'and more')
    await bob.getByTestId('new-messages').filter({ hasText: '2 new messages' }).waitFor()
    t.pass('the pill counts 2 new messages')
    await bob.waitForFunction(() => document.title === '(2) Parley')
    t.pass('the tab title counts them too')
    await bob.getByTestId('new-messages').click()
    await bob.getByTestId('new-messages').waitFor({ state: 'detached' })
    await bob.waitForFunction(() => document.title === 'Parley')
    t.pass('and clears once they are seen')
    t.equal(await bob.evaluate(() => document.activeElement?.id), 'messages', 'the focus stays in the conversation')
    await bob.getByTestId('message-list').evaluate((el) => el.scrollTo({ top: 0 }))
    await bob.getByTestId('message-list').evaluate((el) => el.dispatchEvent(new Event('scroll')))
    await send(bob, 'my own, sent while scrolled up')
    await message(bob, 'my own, sent while scrolled up').waitFor()
    await bob.getByTestId('message-list').evaluate((el) => new Promise(requestAnimationFrame))
    t.ok(await bob.getByTestId('message-list').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 50),
      'sending brings the reader down to their message')
    t.ok(await bob.getByTestId('message-list').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 50), 'at the bottom')

    // In another room, lobby messages count in the tab title.
    await bob.getByTestId('room-name').fill('quiet')
    await bob.getByTestId('room-create').click()
    // joined (the page's switch to the room) comes once the room is on disk.
    await bob.getByTestId('chat-room').filter({ hasText: '#quiet' }).waitFor()
    await connected(bob)
    await send(alice, 'psst')
    await bob.waitForFunction(() => document.title === '(1) Parley')
    t.pass('the title shows the unread count')
    await bob.locator('[data-testid="room-entry"][data-room="lobby"]').click()
    await bob.waitForFunction(() => document.title === 'Parley')
    t.pass('reading the room clears it')
  })

  t.test('drafts stay with their room; Leave room only leaves it; leaving or logging out with a draft asks first', async (t) => {
    const { origin } = await startServer(t)
    const context = await newContext(t)
    const page = await context.newPage()
    await registerInUi(page, origin, 'erin')
    const input = page.getByTestId('composer-input')
    await page.getByTestId('room-name').fill('side')
    await page.getByTestId('room-create').click()
    await page.getByTestId('chat-room').filter({ hasText: '#side' }).waitFor()
    await connected(page)
    await input.fill('half a thought for side')
    await openRoom(page, 'lobby')
    t.equal(await input.inputValue(), '', 'the lobby has its own (empty) draft')
    await input.fill('lobby draft')
    await openRoom(page, 'side')
    t.equal(await input.inputValue(), 'half a thought for side', "side's draft is back")
    await openRoom(page, 'lobby')
    t.equal(await input.inputValue(), 'lobby draft', "and the lobby's")

    // Leave room with a draft in that room: asked first; "Stay" keeps the room and its draft.
    await openRoom(page, 'side')
    await page.getByTestId('leave-room').click()
    await page.getByTestId('leave-confirm').waitFor()
    t.match(await page.getByTestId('leave-confirm').textContent(), /Discard your unsent text in #side and leave the room\?/)
    t.ok(await page.getByTestId('leave-confirm-no').evaluate((b) => b === document.activeElement), 'the focus is on "Stay"')
    await page.getByTestId('leave-confirm-no').click()
    t.equal(await input.inputValue(), 'half a thought for side', 'Stay keeps the draft')
    t.equal(await page.locator('[data-testid="room-entry"][data-room="side"]').count(), 1, 'and the room')
    // Confirmed: out of that room, still signed in, the session untouched.
    await page.getByTestId('leave-room').click()
    await page.getByTestId('leave-confirm-yes').click()
    await page.locator('[data-testid="room-entry"][data-room="side"]').waitFor({ state: 'detached' })
    t.equal(await page.getByTestId('chat-room').textContent(), '#lobby', 'back in the lobby')
    t.equal(await input.inputValue(), 'lobby draft', "the lobby's draft is still there")
    t.equal((await context.request.get(origin + '/api/me')).status(), 200, 'leaving a room is not logging out')
    // A room without a draft is left at once.
    await page.getByTestId('room-name').fill('empty')
    await page.getByTestId('room-create').click()
    await page.getByTestId('chat-room').filter({ hasText: '#empty' }).waitFor()
    await connected(page)
    await page.getByTestId('leave-room').click()
    await page.locator('[data-testid="room-entry"][data-room="empty"]').waitFor({ state: 'detached' })
    t.equal(await page.getByTestId('leave-confirm').count(), 0, 'no draft: no question')

    // Log out with a draft: asked first; "Stay" keeps everything.
    await page.getByTestId('leave-chat').click()
    await page.getByTestId('logout-confirm').waitFor()
    t.match(await page.getByTestId('logout-confirm').textContent(), /Discard your unsent text and log out\?/)
    t.equal((await context.request.get(origin + '/api/me')).status(), 200, 'not logged out before the answer')
    await page.getByTestId('logout-confirm-no').click()
    t.equal(await input.inputValue(), 'lobby draft', 'Stay keeps the draft')
    t.equal(await page.getByTestId('login-view').count(), 0)
    // A draft kept in another room counts as much as the one on screen.
    await page.getByTestId('room-name').fill('third')
    await page.getByTestId('room-create').click()
    await page.getByTestId('chat-room').filter({ hasText: '#third' }).waitFor()
    await connected(page)
    t.equal(await input.inputValue(), '', 'the new room has its own (empty) draft')
    await page.getByTestId('leave-chat').click()
    await page.getByTestId('logout-confirm').waitFor()
    await page.getByTestId('logout-confirm-yes').click()
    await page.getByTestId('login-view').waitFor()
    t.equal((await context.request.get(origin + '/api/me')).status(), 401, 'confirmed: the session has ended')
  })
}
