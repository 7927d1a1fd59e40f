/// <reference lib="dom" />
// End to end in headless Chromium, issue 16 (finding 9b): the page's idle warning follows the
// server's IDLE_ACTIVITY, told in `welcome` as limits.idleActivity. With `message` a key press does
// not hide the warning (the server would still kick); with `input` (the default) it does.
import { join } from 'node:path'
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { hasChromium, registerInUi, useBrowser, WAIT_MS } from '../helpers/chromium-page.js'

// The page reports input at most every 5 s (ACTIVITY_INTERVAL_MS): the kick comes after that.
const WARN = 1500
const KICK = 12_000

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-idle-activity-screenshots'))

  t.test('IDLE_ACTIVITY=message: a key press leaves the warning up, and the kick comes as it said', async (t) => {
    const { origin } = await startServer(t, { idleWarnMs: WARN, idleKickMs: KICK, idleActivity: 'message' })
    const page = await (await newContext(t)).newPage()
    await registerInUi(page, origin, 'carol')
    const notice = page.getByTestId('idle-notice')
    await notice.waitFor({ timeout: 2 * WAIT_MS })
    const warned = Date.now()
    t.match(await notice.textContent(), /Send a message/, 'the warning says what keeps the session')
    t.equal(await page.getByTestId('still-here').count(), 0, 'no "I\'m still here" button: it would not count')
    await page.getByTestId('composer-input').press('a')
    // Past the moment the page's throttled activity report has gone out.
    await page.waitForTimeout(Math.max(0, warned + 5500 - Date.now()))
    t.equal(await notice.count(), 1, 'the warning is still shown after the key press')
    await page.getByTestId('login-view').waitFor({ timeout: 2 * KICK })
    t.pass('the server kicked the user, as the warning said')
  })

  t.test('IDLE_ACTIVITY=input (the default): a key press hides the warning and keeps the user', async (t) => {
    const { origin } = await startServer(t, { idleWarnMs: WARN, idleKickMs: KICK })
    const page = await (await newContext(t)).newPage()
    await registerInUi(page, origin, 'dave')
    const notice = page.getByTestId('idle-notice')
    await notice.waitFor({ timeout: 2 * WAIT_MS })
    await page.getByTestId('composer-input').press('a')
    await notice.waitFor({ state: 'detached', timeout: 2 * WAIT_MS })
    t.equal(await page.getByTestId('chat-view').getAttribute('data-link'), 'open', 'still connected')
  })
}
