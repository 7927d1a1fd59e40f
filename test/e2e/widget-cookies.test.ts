// The widget's two ways to keep its session inside a third-party iframe: a partitioned cookie where
// the browser keeps one, and otherwise the single-use ticket in the first WebSocket frame (never in
// a URL). Host page https://127.0.0.1:P2, chat https://localhost:P1: different sites.
import t from 'tap'
import type { Test } from 'tap'
import type { IncomingMessage } from 'node:http'
import type { BrowserContext, Page } from 'playwright-core'
import { haveChromium, newWatchedContext } from '../helpers/browser.js'
import { connect, request, signUp, PASSWORD } from '../helpers/clients.js'
import type { TestServer } from '../helpers/server.js'
import { chatFrame, launchCookieBlockingContext, launcher, openShadows, probeCookie, sharedChromium, startWidgetWorld, widgetFrame } from '../helpers/widget.js'

const EMBED_COOKIE = '__Host-parley-embed'

/** What the chat server received: each request's and upgrade's path and Cookie header. */
function serverLog(server: TestServer) {
  const seen: { url: string; cookie: string }[] = []
  const note = (req: IncomingMessage) => void seen.push({ url: req.url ?? '', cookie: String(req.headers.cookie ?? '') })
  server.app.server.on('request', note)
  server.app.server.on('upgrade', note)
  return seen
}

/** Every URL the page (and its iframe) requested, sockets included, and the socket frames it sent. */
function browserLog(page: Page) {
  const urls: string[] = []
  const sent: string[] = []
  page.on('request', (r) => void urls.push(r.url()))
  page.on('websocket', (ws) => {
    urls.push(ws.url())
    ws.on('framesent', (f) => void sent.push(String(f.payload)))
  })
  return { urls, sent }
}

/** Logs in with the widget's form; returns the login answer's ticket. */
async function widgetLogin(page: Page, chatOrigin: string, username: string): Promise<string> {
  await launcher(page).click()
  const frame = widgetFrame(page)
  await frame.getByTestId('widget-username').fill(username)
  await frame.getByTestId('widget-password').fill(PASSWORD)
  const answer = page.waitForResponse((r) => r.url() === `${chatOrigin}/api/embed/login`)
  await frame.getByTestId('widget-password').press('Enter')
  const body = await (await answer).json()
  await frame.locator('[data-testid="composer-input"]:enabled').waitFor()
  return body.ticket
}

/** The widget and a socket user talk both ways. */
async function chatBothWays(t: Test, page: Page, server: TestServer, bobCookie: string) {
  const bob = await connect(server, bobCookie)
  t.teardown(() => bob.ws.close())
  await bob.next('welcome')
  const frame = widgetFrame(page)
  await frame.getByTestId('composer-input').fill('sent without a cookie')
  await frame.getByTestId('composer-input').press('Enter')
  t.equal((await bob.next('message', (f) => f.text === 'sent without a cookie')).user, 'alice', 'bob received the widget message')
  bob.send({ type: 'message', room: 'lobby', text: 'bob answers', cid: 'c-1' })
  await frame.getByTestId('message-text').filter({ hasText: 'bob answers' }).waitFor()
  t.pass('the widget received bob\'s answer')
}

const sawEmbedCookie = (seen: { url: string; cookie: string }[]) => seen.filter((s) => s.cookie.includes(EMBED_COOKIE)).map((s) => s.url)

if (haveChromium(t)) {
  const browser = sharedChromium(t)

  t.test('third-party cookies blocked: the widget logs in and chats on the single-use ticket in the first socket frame, never in a URL', async (t) => {
    const { server, host, chatOrigin } = await startWidgetWorld(t)
    await signUp(server, 'alice')
    const bobCookie = await signUp(server, 'bob')
    const seen = serverLog(server)
    const context: BrowserContext = await launchCookieBlockingContext(t)
    await context.addInitScript(openShadows)
    const page = await context.newPage()
    const { urls, sent } = browserLog(page)
    await page.goto(host.origin + '/')
    const ticket = await widgetLogin(page, chatOrigin, 'alice')
    await chatBothWays(t, page, server, bobCookie)

    // The proof that no cookie carried the session: the browser kept none, the server got none.
    t.equal(await probeCookie(await chatFrame(page)), '', 'the iframe cannot keep even a partitioned cookie')
    t.same(await context.cookies(), [], 'the browser holds no cookie at all (HttpOnly and partitioned included)')
    t.same(sawEmbedCookie(seen), [], 'the server never received the widget cookie')
    t.ok(seen.some((s) => s.url === '/ws'), 'the server saw the socket upgrade')
    // The ticket: in the first frame of the socket, in no URL.
    t.same(JSON.parse(sent[0] ?? '{}'), { type: 'auth', ticket }, 'the first socket frame is {type: auth, ticket}')
    t.ok(urls.includes(chatOrigin.replace('https:', 'wss:') + '/ws'), 'the socket URL is the bare /ws')
    t.same(urls.filter((u) => u.includes(ticket)), [], 'the ticket appears in no URL')
    t.same(seen.filter((s) => s.url.includes(ticket)), [], 'nor in any path the server received')
    const reuse = await connect(server, undefined)
    reuse.send({ type: 'auth', ticket })
    t.same(await reuse.waitClose(), { code: 4003, reason: 'ticket_invalid' }, 'the used ticket does not work again')

    // Without a cookie nothing survives a reload: the widget asks to log in again.
    await page.reload()
    await launcher(page).click()
    await widgetFrame(page).getByTestId('widget-login').waitFor()
    t.pass('after a reload the widget shows its login form (no session was kept in the browser)')
  })

  t.test('where the browser allows it, the session is a partitioned cookie keyed to the host site and survives a reload', async (t) => {
    const { server, host, chatOrigin } = await startWidgetWorld(t)
    await signUp(server, 'alice')
    const bobCookie = await signUp(server, 'bob')
    const seen = serverLog(server)
    const { context } = await newWatchedContext(t, browser())
    await context.addInitScript(openShadows)
    const page = await context.newPage()
    await page.goto(host.origin + '/')
    await widgetLogin(page, chatOrigin, 'alice')
    t.equal(await probeCookie(await chatFrame(page)), 'probe=1', 'this browser keeps partitioned cookies in the iframe')
    const cookie = (await context.cookies()).find((c) => c.name === EMBED_COOKIE)
    t.match(cookie, { httpOnly: true, secure: true, sameSite: 'None', domain: 'localhost', path: '/' }, 'the widget cookie is HttpOnly, Secure, SameSite=None')
    t.equal((cookie as { partitionKey?: string } | undefined)?.partitionKey, host.origin.replace(/:\d+$/, ''), 'partitioned under the host site')

    seen.length = 0
    await page.reload()
    await launcher(page).click()
    await widgetFrame(page).locator('[data-testid="composer-input"]:enabled').waitFor()
    t.equal(await widgetFrame(page).getByTestId('widget-login').count(), 0, 'no login form: the cookie kept the session')
    await chatBothWays(t, page, server, bobCookie)
    const withCookie = sawEmbedCookie(seen)
    t.ok(withCookie.includes('/api/embed/ticket') && withCookie.includes('/ws'), 'after the reload the cookie went with the ticket request and the socket upgrade')

    // The same browser at the chat site itself, top level: the cookie belongs to the host site's partition.
    const top = await context.newPage()
    await top.goto(chatOrigin + '/')
    const status = await top.evaluate(async (site) => {
      const res = await fetch('/api/embed/ticket', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site }) })
      return (await res.json()).session
    }, host.origin)
    t.equal(status, null, 'outside the host site the widget cookie is not sent')
    const direct = await request(server, 'POST', '/api/embed/ticket', { body: { site: host.origin } })
    t.same(direct.body, { session: null }, 'and without it there is no ticket')
  })
}
