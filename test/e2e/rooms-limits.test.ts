// End to end in headless Chromium: a refused reconnect (too many tabs) explained and retried; history on scroll-back.
import { join } from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { startServer } from '../helpers/server.js'
import { connected, hasChromium, message, registerInUi, send, useBrowser, WAIT_MS } from '../helpers/chromium-page.js'

/** Every delivered message text in the current room, in order. */
const texts = (page: Page) => page.getByTestId('message-text').allTextContents()

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-rooms-limits-screenshots'))

  t.test('a refused reconnect with a live session (too many tabs) is explained and retried', async (t) => {
    const { origin } = await startServer(t, { maxSocketsPerUser: 1 })
    const context = await newContext(t)
    const first = await context.newPage()
    await registerInUi(first, origin, 'frank')
    const second = await context.newPage()
    await second.goto(origin + '/')
    await second.getByTestId('link-problem').waitFor({ timeout: 3 * WAIT_MS })
    t.match(await second.getByTestId('link-problem').textContent(), /too many open chat tabs/)
    await first.close()
    await second.getByTestId('retry-now').click().catch(() => undefined)
    await connected(second)
    t.pass('after closing the other tab it connects')
  })

  t.test('older messages load on scroll-back, without doubles', async (t) => {
    const { origin } = await startServer(t, {
      // Typed faster than any person: neither limit may refuse one (Send is disabled during a
      // rate limit, so the next fill would replace a refused text).
      messageRatePerSec: 100,
      frameBudgetPerSec: 1000,
      frameBudgetBurst: 1000
    })
    const context = await newContext(t)
    const page = await context.newPage()
    await registerInUi(page, origin, 'gina')
    for (let i = 1; i <= 70; i++) await send(page, `n${i}`)
    // One message in flight at a time, each acknowledged once durable (25-30 ms an fsync on this
    // disk): 70 in a row take a few seconds.
    await message(page, 'n70').waitFor({ timeout: 20_000 })
    await page.reload()
    await connected(page)
    await message(page, 'n70').waitFor()
    t.equal(await message(page, 'n1').count(), 0, 'only the recent history at first')
    await page.getByTestId('message-list').evaluate((el) => (el.scrollTop = 0))
    await message(page, 'n1').waitFor()
    const all = await texts(page)
    t.same(all, Array.from({ length: 70 }, (_, i) => `n${i + 1}`), 'all 70, once each, in order')
  })
}
