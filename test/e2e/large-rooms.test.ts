// Large rooms end to end in headless Chromium against the real server with MEMBER_LIST_MAX=2: the
// count instead of a list, names loaded into the member pane, a room growing into a large one and
// shrinking back to a listed one; axe finds nothing in the large views.
import { join } from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { axe } from '../helpers/axe-views.js'
import { chatUser } from '../helpers/rooms.js'
import { startServer } from '../helpers/server.js'
import { hasChromium, PHONE, registerInUi, useBrowser } from '../helpers/chromium-page.js'

const LIMITS = { memberListMax: 2, onlineCountMs: 50 }
const names = (page: Page) => page.getByTestId('member-list').locator('.member__name').allTextContents()
const title = (page: Page) => page.locator('#members-title')
const notice = (page: Page, text: string) => page.getByTestId('presence-notice').filter({ hasText: text })

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-large-rooms-screenshots'))

  t.test('three users, MEMBER_LIST_MAX=2: the count shows and the member pane loads the names behind its button (phone)', async (t) => {
    const server = await startServer(t, LIMITS)
    const bob = await chatUser(t, server, 'bob')
    const carol = await chatUser(t, server, 'carol')
    const page = await (await newContext(t, { viewport: PHONE, bypassCSP: true })).newPage()
    await registerInUi(page, server.origin, 'alice')
    const online = page.getByTestId('show-members')
    await online.filter({ hasText: '3 online' }).waitFor()
    t.equal(await page.getByTestId('member').count(), 0, 'joined a large room: no names yet')
    await online.click()
    await page.getByTestId('member-status').filter({ hasText: '3 names shown' }).waitFor()
    t.same(await names(page), ['alice', 'bob', 'carol'], 'one page, in code-point order')
    t.match(await title(page).textContent(), /\(3\)/)
    t.equal(await page.getByTestId('member-count').textContent(), '3 people here. Names load a page at a time.')
    t.equal(await page.getByTestId('more-members').count(), 0, 'no more pages: no button')
    await axe(t, page, 'member pane of a large room (phone)')

    const dave = await chatUser(t, server, 'dave')
    await title(page).filter({ hasText: '(4)' }).waitFor()
    t.pass('the count follows the `online` frames')
    for (const { client } of [dave, carol, bob]) client.ws.close()
    // At half of MEMBER_LIST_MAX the room is listed again: the server sends the whole list.
    await title(page).filter({ hasText: '(1)' }).waitFor()
    t.same(await names(page), ['alice'])
    t.equal(await page.getByTestId('member-count').count(), 0, 'listed: no count line')
    t.equal(await notice(page, 'left').count(), 0, 'no leave notices from the large room')
  })

  t.test('a listed room that grows past MEMBER_LIST_MAX drops its list and loads names on its own (desktop)', async (t) => {
    const server = await startServer(t, LIMITS)
    const page = await (await newContext(t, { bypassCSP: true })).newPage()
    await registerInUi(page, server.origin, 'alice')
    await chatUser(t, server, 'bob')
    await notice(page, 'bob joined').waitFor()
    t.same(await names(page), ['alice', 'bob'], 'listed: presence keeps the list')
    await chatUser(t, server, 'carol')
    await page.getByTestId('member-count').filter({ hasText: '3 people here' }).waitFor()
    await page.getByTestId('member-status').filter({ hasText: '3 names shown' }).waitFor()
    t.same(await names(page), ['alice', 'bob', 'carol'], 'the pane on screen asked for the first page')
    t.equal(await page.getByTestId('room-online').textContent(), '3')
    t.equal(await notice(page, 'carol joined').count(), 0, 'no join notice once the room is large')
    await axe(t, page, 'large room (desktop)')
  })
}
