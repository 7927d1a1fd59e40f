// Links in messages (headless Chromium): only http(s) URLs become <a>, always target=_blank with
// rel="noopener noreferrer"; javascript:, data: and markup around a URL stay text.
import { join } from 'node:path'
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { hasChromium, message, registerInUi, send, useBrowser } from '../helpers/chromium-page.js'

const TEXTS = [
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '<a href="javascript:alert(1)">x</a>',
  'see https://a.example/"><img src=x onerror=alert(1)>',
  'and http://b.example/path?q=1.'
]

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'links-screenshots'))

  t.test('links in messages: http(s) only, opened with noopener noreferrer, nothing else is markup', async (t) => {
    const { origin } = await startServer(t, { messageRatePerSec: 50, messageMaxChars: 100 })
    const page = await (await newContext(t)).newPage()
    let dialogs = 0
    page.on('dialog', (d) => (dialogs++, d.dismiss()))
    await registerInUi(page, origin, 'mallory')
    for (const text of TEXTS) await send(page, text)
    await message(page, TEXTS.at(-1)!).waitFor()
    const links = await page.locator('#messages a').evaluateAll((as) =>
      as.map((a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel'), target: a.getAttribute('target'), text: a.textContent }))
    )
    t.same(links, [
      { href: 'https://a.example/', rel: 'noopener noreferrer', target: '_blank', text: 'https://a.example/' },
      { href: 'http://b.example/path?q=1', rel: 'noopener noreferrer', target: '_blank', text: 'http://b.example/path?q=1' }
    ], 'exactly the two http(s) URLs are links, each with rel="noopener noreferrer"')
    t.equal(await page.locator('#messages img, #messages script').count(), 0, 'no element from the text around a URL')
    t.equal(dialogs, 0, 'nothing ran')
  })
}
