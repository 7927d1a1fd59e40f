/// <reference lib="dom" />
// The member pane of a large room in headless Chromium, paging through 1,234 names: the page talks
// to a real server through a relay (Playwright's routeWebSocket) that plays the large-rooms frames
// (docs/protocol.md "Large rooms") for a crowd a test cannot sign up: lobby joined as large,
// `members` pages answered from a roster, count updates, and the switches listed <-> large. The
// real server's side is in test/e2e/large-rooms.test.ts.
import { join } from 'node:path'
import t from 'tap'
import type { Page, WebSocketRoute } from 'playwright-core'
import { axe } from '../helpers/axe-views.js'
import { startServer } from '../helpers/server.js'
import { hasChromium, PHONE, registerInUi, useBrowser } from '../helpers/chromium-page.js'

const PAGE = 200
const roster = (n: number) => ['alice', ...Array.from({ length: n - 1 }, (_, i) => `u${String(i).padStart(4, '0')}`)]

/** Relays the page's socket; lobby is large with `users`; returns the offsets of the pages asked for and a way to push frames. */
async function largeLobby(page: Page, start: string[]) {
  let users = start
  const asked: number[] = []
  let client: WebSocketRoute | undefined
  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    client = ws
    const server = ws.connectToServer()
    server.onMessage((data) => {
      const frame = JSON.parse(String(data))
      if (frame.type === 'joined' && frame.room === 'lobby') Object.assign(frame, { online: users.length, members: [], large: true })
      ws.send(JSON.stringify(frame))
    })
    ws.onMessage((data) => {
      const frame = JSON.parse(String(data))
      if (frame.type !== 'members') return server.send(data)
      const offset = frame.offset ?? 0
      asked.push(offset)
      const page = users.slice(offset, offset + PAGE)
      ws.send(JSON.stringify({ type: 'members', room: frame.room, online: users.length, large: true, offset, users: page, more: offset + PAGE < users.length }))
    })
  })
  return {
    asked,
    push: (frame: object) => client!.send(JSON.stringify(frame)),
    setUsers: (next: string[]) => (users = next)
  }
}

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-ui-large-rooms-screenshots'))

  t.test('a large room: the true count, names a page at a time by the button, axe clean; listed and large again', async (t) => {
    const { origin } = await startServer(t)
    const context = await newContext(t, { bypassCSP: true })
    const page = await context.newPage()
    const lobby = await largeLobby(page, roster(1234))
    await registerInUi(page, origin, 'alice')
    const pane = page.getByTestId('member-list')
    const title = pane.locator('#members-title')
    await page.getByTestId('member-count').filter({ hasText: '1,234 people here' }).waitFor()
    t.match(await title.textContent(), /\(1,234\)/, 'the title counts the room, not the names loaded')
    t.equal(await page.getByTestId('room-online').textContent(), '1,234')
    await page.getByTestId('member-status').filter({ hasText: '200 names shown' }).waitFor()
    t.same(lobby.asked, [0], 'the pane on screen asked for the first page by itself')
    t.equal(await page.getByTestId('member').count(), 200)
    t.match(await page.getByTestId('member').first().textContent(), /alice\(you\)/, 'your own name is marked')

    const more = page.getByTestId('more-members')
    t.equal(await more.textContent(), 'Show more names')
    await more.click()
    await page.getByTestId('member-status').filter({ hasText: '400 names shown' }).waitFor()
    t.same(lobby.asked, [0, 200], 'the next page from offset + users.length')
    lobby.push({ type: 'online', room: 'lobby', online: 1240, large: true })
    await title.filter({ hasText: '(1,240)' }).waitFor()
    t.equal(await page.getByTestId('member').count(), 400, 'a new count keeps the names loaded')
    await axe(t, page, 'large room, 400 names and the button')

    lobby.push({ type: 'members', room: 'lobby', online: 2, large: false, offset: 0, users: ['bob', 'alice'], more: false })
    await title.filter({ hasText: '(2)' }).waitFor()
    t.same(await pane.locator('.member__name').allTextContents(), ['alice', 'bob'], 'listed again: the whole list replaces the pages')
    t.equal(await more.count(), 0)
    t.equal(await page.getByTestId('member-count').count(), 0)

    lobby.setUsers(roster(250))
    lobby.push({ type: 'online', room: 'lobby', online: 250, large: true })
    await page.getByTestId('member-status').filter({ hasText: '200 names shown' }).waitFor()
    t.same(lobby.asked, [0, 200, 0], 'large again: the stale list went, the first page was asked for anew')
    await more.focus()
    await page.keyboard.press('Enter')
    await page.getByTestId('member-status').filter({ hasText: '250 names shown' }).waitFor()
    t.equal(await more.count(), 0, 'all loaded: no button')
    t.equal(await page.evaluate(() => document.activeElement?.id), 'members-title', 'the focus the button had goes to the pane title')
    await axe(t, page, 'large room, every name loaded')
  })

  t.test('on a phone the first page waits until the member pane is opened', async (t) => {
    const { origin } = await startServer(t)
    const context = await newContext(t, { viewport: PHONE })
    const page = await context.newPage()
    const lobby = await largeLobby(page, roster(300))
    await registerInUi(page, origin, 'alice')
    const online = page.getByTestId('show-members')
    await online.filter({ hasText: '300 online' }).waitFor()
    t.same(lobby.asked, [], 'the pane is hidden: no names asked for')
    await online.click()
    await page.getByTestId('member-status').filter({ hasText: '200 names shown' }).waitFor()
    t.same(lobby.asked, [0])
  })
}
