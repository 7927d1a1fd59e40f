// XSS in headless Chromium: classic payloads in messages are shown as text (no dialog, no element,
// no handler, no CSP violation); as usernames they are refused at registration; a hostile name
// already in the store (written before start) is still shown as text.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { startServer } from '../helpers/server.js'
import { connect, logIn, PASSWORD, request, signUp } from '../helpers/clients.js'
import { enterChat, haveChromium, newWatchedContext, sharedChromium, type PageIncidents } from '../helpers/browser.js'
import { hashPassword } from '../../lib/accounts/password.js'
import { usernameKey } from '../../lib/accounts/credentials.js'

// Each at most 50 characters; each would run `alert` (or load, navigate, restyle) if parsed as HTML.
export const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<svg><animate onbegin=alert(1) attributeName=x>',
  '<iframe src="javascript:alert(1)">',
  '<iframe srcdoc="<script>alert(1)</script>">',
  '<body onload=alert(1)>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '<a href="javascript:alert(1)">click</a>',
  'javascript:alert(1)',
  '<details open ontoggle=alert(1)>',
  '<input autofocus onfocus=alert(1)>',
  '<video><source onerror=alert(1)>',
  '<audio src=x onerror=alert(1)>',
  '<object data="javascript:alert(1)">',
  '<embed src="javascript:alert(1)">',
  '<marquee onstart=alert(1)>x</marquee>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<math><mtext><img src=x onerror=alert(1)>',
  '<style>*{display:none}</style>',
  '<base href="https://evil.example/">',
  '<meta http-equiv=refresh content="0;url=//x">',
  '<form action=javascript:alert(1)><button>go',
  '{{constructor.constructor("alert(1)")()}}',
  '${alert(1)}',
  '<img src=x:x onerror=alert(document.cookie)>'
]
// What must not appear inside the message list if a payload were parsed as markup.
const MARKUP = 'script, img, svg, iframe, object, embed, video, audio, details, input, marquee, math, style, base, meta, form, a, button, body'

function clean(t: Test, incidents: PageIncidents, what: string) {
  t.same(incidents.dialogs, [], `${what}: no dialog opened`)
  t.same(incidents.errors, [], `${what}: no page error`)
  t.same(incidents.csp, [], `${what}: no CSP violation`)
}

async function noInjectedMarkup(page: Page): Promise<{ injected: number; scripts: number }> {
  const inHeader = MARKUP.replace(', button', '')
  return page.evaluate(`({
    // The one element message text may become is a safe link: http(s) only, noopener noreferrer
    // (test/security/links.test.ts); anything else counts as injected.
    injected: [...document.querySelectorAll('#messages :is(${MARKUP}), .chat__header :is(${inHeader})')].filter(
      (el) => !(el.matches('a.message__link[rel="noopener noreferrer"]') && /^https?:$/.test(new URL(el.href).protocol))
        // The page's own brand mark in the header (static markup, no text in it).
        && !(el.matches('.chat__app > img.brand-mark') && el.getAttribute('src') === '/favicon.svg')
    ).length,
    scripts: document.scripts.length
  })`)
}

if (haveChromium(t)) {
  const browser = sharedChromium(t)

  t.test(`${PAYLOADS.length} XSS payloads as messages -> rendered as text, nothing runs`, async (t) => {
    t.ok(PAYLOADS.length >= 20)
    const server = await startServer(t, { messageMaxChars: 60, messageRatePerSec: 1000 })
    const { context, incidents } = await newWatchedContext(t, browser())
    await signUp(server, 'alice')
    const page = await context.newPage()
    await enterChat(page, server.origin, 'alice', PASSWORD)
    const scriptsBefore = (await noInjectedMarkup(page)).scripts

    const mallory = await connect(server, await signUp(server, 'mallory'))
    t.teardown(() => mallory.ws.close())
    await mallory.next('welcome')
    for (const text of PAYLOADS) {
      mallory.send({ type: 'message', text })
      await mallory.next('message', (f) => f.text === text)
    }
    // And one typed into the page by alice herself.
    await page.getByTestId('composer-input').fill(PAYLOADS[1]!)
    await page.getByTestId('composer-input').press('Enter')

    await page.getByTestId('message').nth(PAYLOADS.length).waitFor()
    const texts = await page.getByTestId('message-text').allTextContents()
    t.same(texts, [...PAYLOADS, PAYLOADS[1]], 'every payload is shown exactly, as text')
    t.same(await noInjectedMarkup(page), { injected: 0, scripts: scriptsBefore }, 'no element was injected')
    t.equal(await page.evaluate(`document.querySelectorAll('[onerror], [onload], [onfocus], [ontoggle], [onbegin], [onstart]').length`), 0, 'no handler attribute anywhere')
    t.equal(new URL(page.url()).origin, server.origin, 'no navigation')
    t.equal(await page.evaluate('document.baseURI'), server.origin + '/', 'no <base> took effect')
    await page.waitForTimeout(300) // time for a late onerror/onload/autofocus to fire
    clean(t, incidents, 'messages')
  })

  t.test('XSS payloads as usernames -> 400 invalid_username at registration', async (t) => {
    const server = await startServer(t)
    for (const username of [...PAYLOADS, '<b>bold</b>', 'a"onmouseover="alert(1)', "x'-alert(1)-'"]) {
      const res = await request(server, 'POST', '/api/register', { body: { username, password: PASSWORD } })
      t.same([res.status, res.body.code], [400, 'invalid_username'], username)
    }
  })

  t.test('a hostile name already in the store -> shown as text in the header and on its messages', async (t) => {
    const hostile = '<img src=x onerror=alert(1)>'
    const dataDir = t.testdir({})
    const now = new Date().toISOString()
    const record = { username: hostile, password: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }), createdAt: now, updatedAt: now }
    await writeFile(join(dataDir, 'users.json'), JSON.stringify({ version: 1, users: { [usernameKey(hostile)]: record } }), { mode: 0o600 })
    const server = await startServer(t, { messageRatePerSec: 1000 }, dataDir)
    await logIn(server, hostile) // the store loaded it; login applies no registration rule

    const { context, incidents } = await newWatchedContext(t, browser())
    await signUp(server, 'alice')
    const alice = await context.newPage()
    await enterChat(alice, server.origin, 'alice', PASSWORD)
    const other = await browser().newContext({ ignoreHTTPSErrors: true })
    t.teardown(() => other.close())
    const intruder = await other.newPage()
    intruder.on('dialog', (d) => void incidents.dialogs.push(d.message()))
    intruder.on('console', (m) => void (/Content Security Policy/i.test(m.text()) && incidents.csp.push(m.text())))
    await enterChat(intruder, server.origin, hostile, PASSWORD)
    t.equal(await intruder.getByTestId('chat-user').textContent(), hostile, 'own name in the header, as text')
    await intruder.getByTestId('composer-input').fill('hello')
    await intruder.getByTestId('composer-input').press('Enter')

    for (const page of [alice, intruder]) {
      await page.getByTestId('message-user').filter({ hasText: hostile }).first().waitFor()
      t.same(await page.getByTestId('message-user').allTextContents(), [hostile], 'the name on the message, as text')
      t.same((await noInjectedMarkup(page)).injected, 0, 'no element injected')
    }
    await alice.waitForTimeout(300)
    clean(t, incidents, 'hostile name')
  })
}
