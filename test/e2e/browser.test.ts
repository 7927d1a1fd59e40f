/// <reference lib="dom" />
// End to end in headless Chromium: register, chat between two users, limits, leave, idle kick.
// Screenshots of the pages of a failed test are saved and named in the output (helpers/chromium-page.ts).
import { join } from 'node:path'
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { hasChromium, message, registerInUi, send, useBrowser, WAIT_MS } from '../helpers/chromium-page.js'

const IDLE_NOTICE = 'You were disconnected after being idle. Please log in again.'

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-browser-screenshots'))

  t.test('two users chat; a new tab skips the login; Leave chat ends the session', async (t) => {
    const { origin } = await startServer(t, { messageMaxChars: 50, messageRatePerSec: 50 })
    const contextA = await newContext(t)
    const contextB = await newContext(t)
    const alice = await contextA.newPage()
    const bob = await contextB.newPage()

    await registerInUi(alice, origin, 'alice')
    await registerInUi(bob, origin, 'bob')
    t.equal(await alice.getByTestId('chat-user').textContent(), 'alice', 'alice is signed in')

    await alice.getByTestId('composer-input').fill('hello bob')
    t.equal(await alice.getByTestId('composer-counter').textContent(), '9/50', 'counter counts characters')
    t.ok(await alice.getByTestId('composer-counter').isHidden(), 'the counter stays out of the way below 80 % of the limit')
    await alice.getByTestId('composer-input').fill('x'.repeat(40))
    t.ok(await alice.getByTestId('composer-counter').isVisible(), 'from 80 % it shows')
    t.match(await alice.getByTestId('composer-counter').getAttribute('class'), /composer__counter--amber/, 'amber')
    await alice.getByTestId('composer-input').fill('x'.repeat(48))
    t.match(await alice.getByTestId('composer-counter').getAttribute('class'), /composer__counter--red/, 'red from 95 %')
    await alice.getByTestId('composer-input').fill('hello bob')
    await alice.getByTestId('composer-input').press('Enter')
    await message(bob, 'hello bob').waitFor()
    t.equal(await message(bob, 'hello bob').getByTestId('message-user').textContent(), 'alice')
    t.equal(await alice.getByTestId('composer-input').inputValue(), '', 'input cleared after sending')
    t.equal(await alice.getByTestId('composer-counter').textContent(), '0/50')

    await send(bob, 'hi alice')
    await message(alice, 'hi alice').waitFor()
    t.equal(await message(alice, 'hi alice').getByTestId('message-user').textContent(), 'bob')
    t.ok(await alice.locator('[data-testid="message"] time').first().isVisible(), 'messages show a time')

    // Grapheme clusters: a flag, a thumbs-up with skin tone and e + combining accent are 3.
    await alice.getByTestId('composer-input').fill('🇫🇷👍🏽e\u0301')
    t.equal(await alice.getByTestId('composer-counter').textContent(), '3/50', 'graphemes, not code units')
    await alice.getByTestId('composer-input').fill('x'.repeat(51))
    t.equal(await alice.getByTestId('composer-counter').textContent(), '51/50')
    t.ok(await alice.getByTestId('composer-send').isDisabled(), 'send is disabled over the limit')
    t.equal(await alice.getByTestId('composer-error').textContent(), 'Messages can be at most 50 characters.', 'and says why, above the composer')
    t.equal(await alice.getByTestId('composer-error').evaluate((el) => el.parentElement!.className), 'composer__notices',
      'in the notices that float over the list end (they never move it)')
    await alice.getByTestId('composer-input').press('Enter')
    await alice.getByTestId('composer-input').fill('')
    t.ok(await alice.getByTestId('composer-send').isDisabled(), 'send is disabled when empty')

    // Markup is shown as text, never interpreted.
    const markup = '<img src=x onerror=alert(1)>'
    await send(bob, markup)
    await message(alice, markup).waitFor()
    t.equal(await alice.locator('[data-testid="message-list"] img').count(), 0, 'no element from message text')
    t.equal(await message(alice, 'x'.repeat(51)).count(), 0, 'the over-long text was never sent')

    const aliceTab2 = await contextA.newPage()
    await aliceTab2.goto(origin + '/')
    await aliceTab2.getByTestId('chat-view').waitFor()
    t.equal(await aliceTab2.getByTestId('login-view').count(), 0, 'a new tab goes straight to the chat')

    await alice.getByTestId('leave-chat').click()
    await alice.getByTestId('login-view').waitFor()
    t.equal((await contextA.request.get(origin + '/api/me')).status(), 401, 'the session has ended')
    await aliceTab2.getByTestId('login-view').waitFor()
    t.pass('the other tab of the session is back at the login view too')
  })

  t.test('sending too fast: a countdown, Send disabled, and the refused message goes out once after', async (t) => {
    // One message per 10 s: the refusal's wait is long enough to look at the composer meanwhile.
    const { origin } = await startServer(t, { messageRatePerSec: 0.1 })
    const page = await (await newContext(t)).newPage()
    await registerInUi(page, origin, 'dave')
    await send(page, 'one')
    await message(page, 'one').waitFor()
    const list = page.getByTestId('message-list')
    const listBefore = await list.boundingBox()
    await send(page, 'two')
    await page.getByTestId('rate-limit-notice').waitFor()
    t.same(await list.boundingBox(), listBefore, 'the notice does not move the list')
    const notice = (await page.getByTestId('rate-limit-notice').boundingBox())!
    const composer = (await page.getByTestId('composer-input').boundingBox())!
    t.ok(notice.y + notice.height <= composer.y && composer.y - (notice.y + notice.height) < 40,
      `the notice sits just above the composer (${notice.y + notice.height} / ${composer.y})`)
    t.match(await page.getByTestId('rate-limit-notice').textContent(), /Try again in \d+ s/)
    await page.getByTestId('composer-input').fill('three')
    t.ok(await page.getByTestId('composer-send').isDisabled(), 'Send is disabled during the rate limit')
    t.match(await page.getByTestId('composer-send').textContent(), /Send \(\d+ s\)/, 'with the countdown')
    t.ok(Number(await page.getByTestId('composer-send').evaluate((el) => getComputedStyle(el).opacity)) < 0.7,
      'and it looks disabled')
    t.equal(await page.getByTestId('pending-message').filter({ hasText: 'two' }).count(), 1, 'the refused text waits, visibly')
    await page.getByTestId('rate-limit-notice').waitFor({ state: 'hidden', timeout: 3 * WAIT_MS })
    await message(page, 'two').waitFor()
    t.equal(await message(page, 'two').count(), 1, 'sent once after the wait')
    t.ok(await page.getByTestId('composer-send').isEnabled(), 'Send is enabled again')
  })

  t.test('an idle user is warned, then sent back to the login with the reason', async (t) => {
    const { origin } = await startServer(t, { idleWarnMs: 400, idleKickMs: 3000 })
    const context = await newContext(t)
    const page = await context.newPage()
    await registerInUi(page, origin, 'carol')

    const listBefore = await page.getByTestId('message-list').boundingBox()
    await page.getByTestId('idle-notice').waitFor()
    t.same(await page.getByTestId('message-list').boundingBox(), listBefore, 'the idle warning does not move the list')
    await send(page, 'still here')
    await message(page, 'still here').waitFor()
    await page.getByTestId('idle-notice').waitFor({ state: 'hidden' })
    t.pass('an accepted message of ours hides the idle warning')

    await page.getByTestId('login-view').waitFor()
    t.equal(await page.getByTestId('login-notice').textContent(), IDLE_NOTICE)
    t.equal((await context.request.get(origin + '/api/me')).status(), 401, 'the idle session has ended')
  })
}
