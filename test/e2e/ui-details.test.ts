/// <reference lib="dom" />
// End to end in headless Chromium, issue 7: how a conversation reads (day dividers, own messages,
// mentions, emoji, safe links, each message's time on hover and on focus) and the opt-in alerts
// (desktop notifications asked for only after a click, a sound; both remembered per browser).
import { join } from 'node:path'
import t from 'tap'
import type { Locator, Page } from 'playwright-core'
import { openFileHistoryStore } from '../../lib/chat/history/file-history-store.js'
import { createIdGenerator } from '../../lib/chat/rooms/message-id.js'
import { startServer } from '../helpers/server.js'
import { connected, hasChromium, message, registerInUi, send, useBrowser } from '../helpers/chromium-page.js'

const DAY = 86_400_000

/** A data dir whose lobby already holds messages from two and from one day ago. */
async function seededDataDir(dir: string) {
  const store = await openFileHistoryStore(join(dir, 'history'), { limit: 500 })
  const ids = createIdGenerator()
  store.create('lobby', 500)
  const now = Date.now()
  store.append('lobby', { seq: 1, id: ids.next(), user: 'dora', text: 'two days ago', ts: now - 2 * DAY })
  store.append('lobby', { seq: 2, id: ids.next(), user: 'dora', text: 'yesterday', ts: now - DAY })
  await store.sync()
  await store.close()
}

const style = (el: Locator, property: string) =>
  el.evaluate((node, p) => getComputedStyle(node).getPropertyValue(p), property)

/** WCAG contrast ratio of two computed `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, b] = rgb.match(/[\d.]+/g)!.slice(0, 3).map((v) => {
      const c = Number(v) / 255
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
    })
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
  }
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi! + 0.05) / (lo! + 0.05)
}

/** '' when nothing (an ancestor's overflow or paint containment) cuts the element off; else what does. */
const clippedBy = (el: Locator) =>
  el.evaluate((node) => {
    const box = node.getBoundingClientRect()
    for (let a = node.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a)
      if (s.overflow === 'visible' && !/paint|strict|content/.test(s.contain)) continue
      const r = a.getBoundingClientRect()
      if (box.left < r.left - 1 || box.right > r.right + 1 || box.top < r.top - 1 || box.bottom > r.bottom + 1) return a.className || a.tagName
    }
    return ''
  })

/** Records what the page asks of the Notification and Web Audio APIs (nothing real is shown or played). */
function stubAlerts(page: Page) {
  return page.addInitScript(() => {
    const w = window as any
    w.__alerts = { asked: 0, shown: [] as string[], beeps: 0 }
    let permission = 'default'
    class FakeNotification {
      static get permission() {
        return permission
      }
      static async requestPermission() {
        w.__alerts.asked++
        permission = 'granted'
        return permission
      }
      constructor(title: string, options: { body?: string } = {}) {
        w.__alerts.shown.push(`${title}: ${options.body ?? ''}`)
      }
    }
    w.Notification = FakeNotification
    w.AudioContext = class {
      currentTime = 0
      destination = {}
      createOscillator() {
        return { frequency: {}, connect: (x: unknown) => x, start: () => w.__alerts.beeps++, stop() {} }
      }
      createGain() {
        return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (x: unknown) => x }
      }
    }
    // The tab can be "hidden" on demand, as when the user looks at another tab.
    Object.defineProperty(document, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible') })
  })
}

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-ui-details-screenshots'))

  t.test('day dividers, own messages, mentions, emoji, safe links; each time on hover and on focus', async (t) => {
    const dir = t.testdir({})
    await seededDataDir(dir)
    const { origin } = await startServer(t, { messageRatePerSec: 50, messageMaxChars: 200 }, dir)
    const alice = await (await newContext(t)).newPage()
    const bob = await (await newContext(t)).newPage()
    await registerInUi(alice, origin, 'alice')
    await registerInUi(bob, origin, 'bob')
    await send(alice, 'first of mine, alice')
    await send(alice, 'second of mine')
    // Delivered before bob writes: send() does not wait for the server, and bob's first message
    // must not land between alice's two (a loaded run saw exactly that: two own groups).
    await message(alice, 'second of mine').waitFor()
    await send(bob, 'hey @alice see https://example.com/a?b=1, <b>bold</b> javascript:alert(1)')
    await send(bob, '🎉🎉')
    await message(alice, '🎉🎉').waitFor()

    const dividers = await alice.getByTestId('day-divider').allTextContents()
    t.equal(dividers.length, 3, `one divider per day: ${dividers.join(' | ')}`)
    t.same(dividers.slice(1), ['Yesterday', 'Today'])
    t.notOk(['Today', 'Yesterday'].includes(dividers[0]!), 'two days ago is named by its date')

    // Own messages: on the right, in their own colour, no name shown.
    const own = alice.locator('.group--own')
    const others = alice.locator('[data-testid="message-group"][data-user="bob"]')
    t.equal(await own.count(), 1, 'two own messages in one group')
    const shownNames = await own.evaluate((group) =>
      [...group.querySelectorAll('*')].filter((n) => !n.closest('[data-testid="message-text"]') && /alice|You/.test(n.textContent ?? '') && n.children.length === 0 && n.getBoundingClientRect().width > 1).length)
    t.equal(shownNames, 0, 'the own name is not shown (only read out to screen readers)')
    const ownBox = (await own.getByTestId('message').first().boundingBox())!
    const otherBox = (await others.getByTestId('message').first().boundingBox())!
    t.ok(ownBox.x > otherBox.x + 100, `own messages sit on the right (${ownBox.x} vs ${otherBox.x})`)
    // Clearly distinct: at least the 3:1 WCAG asks of UI parts told apart by colour (a pale tint was 1.1:1).
    const ownBg = await style(own.getByTestId('message').first(), 'background-color')
    const otherBg = await style(alice.locator('.message:not(.message--mention)').filter({ hasText: 'yesterday' }), 'background-color')
    t.ok(contrast(ownBg, otherBg) >= 3, `own messages have their own colour (${ownBg} vs ${otherBg}: ${contrast(ownBg, otherBg).toFixed(2)}:1)`)

    // Each other person: initials on a colour of their own (the same in every view).
    t.equal(await others.first().locator('.avatar').textContent(), 'BO')
    t.equal(await alice.locator('[data-testid="message-group"][data-user="dora"] .avatar').first().textContent(), 'DO')
    t.not(await style(others.first().locator('.avatar'), 'background-color'), await style(alice.locator('.chat'), 'background-color'),
      'the avatar has a colour')
    t.equal(await own.locator('.avatar').count(), 0, 'no avatar repeated on own messages')
    t.equal(await own.locator('mark').count(), 0, 'writing one\'s own name is no mention')

    // A mention of the reader is marked; the link is the only markup; the rest is text.
    const mention = alice.getByTestId('message').filter({ hasText: 'javascript:alert(1)' })
    t.match(await mention.getAttribute('class'), /message--mention/, 'the message mentioning alice is highlighted')
    t.equal(await mention.locator('mark').textContent(), '@alice')
    t.not(await style(mention, 'background-color'), await style(others.getByTestId('message').last(), 'background-color'),
      'a highlighted message looks different')
    const links = mention.locator('a')
    t.equal(await links.count(), 1, 'only the http(s) URL became a link')
    t.equal(await links.getAttribute('href'), 'https://example.com/a?b=1')
    t.equal(await links.getAttribute('rel'), 'noopener noreferrer', 'the opened page gets neither window.opener nor the Referer')
    t.equal(await links.getAttribute('target'), '_blank')
    t.equal(await mention.locator('b').count(), 0, 'markup in the text stays text')
    t.equal(await mention.getByTestId('message-text').textContent(), 'hey @alice see https://example.com/a?b=1, <b>bold</b> javascript:alert(1)',
      'the text reads as sent')
    t.equal(await bob.getByTestId('message').filter({ hasText: 'javascript:alert(1)' }).locator('mark').count(), 0,
      'the writer sees no mention highlight')

    const emoji = message(alice, '🎉🎉').getByTestId('message-text')
    const emojiSize = parseFloat(await style(emoji, 'font-size'))
    const textSize = parseFloat(await style(mention.getByTestId('message-text'), 'font-size'))
    t.ok(emojiSize >= 1.5 * textSize, `emoji-only messages are larger (${emojiSize} vs ${textSize} px)`)

    // The second message of a group shows its own time only on hover, or on keyboard focus.
    const second = message(alice, 'second of mine')
    const time = second.locator('.message__time')
    t.equal(await style(time, 'opacity'), '0', 'hidden at rest')
    await second.hover()
    t.equal(await style(time, 'opacity'), '1', 'shown on hover')
    t.equal(await clippedBy(time), '', 'and not cut off by the bubble or the list')
    const doraTime = message(alice, 'yesterday').locator('.message__time')
    await message(alice, 'yesterday').hover()
    t.equal(await clippedBy(doraTime), '', "others' times too (they sit on the other side)")
    await alice.mouse.move(0, 0)
    t.equal(await style(time, 'opacity'), '0')
    await second.focus()
    t.equal(await style(time, 'opacity'), '1', 'shown on focus')
    t.match(await time.getAttribute('datetime'), /^\d{4}-\d\d-\d\dT/, 'a machine-readable time')
  })

  t.test('alerts: permission asked only after a click; notifications and sound remembered per browser', async (t) => {
    const { origin } = await startServer(t, { messageRatePerSec: 50 })
    const context = await newContext(t)
    const alice = await context.newPage()
    await stubAlerts(alice)
    const bob = await (await newContext(t)).newPage()
    await registerInUi(alice, origin, 'alice')
    await registerInUi(bob, origin, 'bob')
    const alerts = () => alice.evaluate(() => (window as any).__alerts as { asked: number; shown: string[]; beeps: number })

    await send(bob, 'before opting in')
    await message(alice, 'before opting in').waitFor()
    t.equal((await alerts()).asked, 0, 'no permission asked without a click')
    t.notOk(await alice.getByTestId('alerts-notify').isChecked())
    t.notOk(await alice.getByTestId('alerts-sound').isChecked())

    await alice.getByTestId('alerts-notify').click()
    await alice.waitForFunction(() => (window as any).__alerts.asked === 1)
    await alice.getByTestId('alerts-sound').click()
    t.ok(await alice.getByTestId('alerts-notify').isChecked(), 'notifications on after the click')
    t.same(JSON.parse((await alice.evaluate(() => localStorage.getItem('parley.alerts')))!), { notify: true, sound: true })

    // Out of view (another tab): a message notifies and beeps; in view it does neither.
    await alice.evaluate(() => {
      ;(window as any).__hidden = true
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await send(bob, 'while you look away')
    await alice.waitForFunction(() => (window as any).__alerts.shown.length === 1)
    t.same((await alerts()).shown, ['bob in #lobby: while you look away'], 'the notification names who and where; text as text')
    t.equal((await alerts()).beeps, 1, 'one beep')
    await alice.evaluate(() => {
      ;(window as any).__hidden = false
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await send(bob, 'while you look')
    await message(alice, 'while you look').waitFor()
    t.equal((await alerts()).shown.length, 1, 'no notification for a message in view')

    // Remembered: a reload (same browser profile) keeps both, and asks nothing.
    await alice.reload()
    await connected(alice)
    t.ok(await alice.getByTestId('alerts-notify').isChecked(), 'notifications remembered')
    t.ok(await alice.getByTestId('alerts-sound').isChecked(), 'sound remembered')
    t.equal((await alerts()).asked, 0, 'no permission asked on load')
    await alice.getByTestId('alerts-sound').click()
    await alice.reload()
    await connected(alice)
    t.notOk(await alice.getByTestId('alerts-sound').isChecked(), 'turning sound off is remembered too')
    const fresh = await (await newContext(t)).newPage()
    await fresh.goto(origin + '/')
    t.equal(await fresh.evaluate(() => localStorage.getItem('parley.alerts')), null, 'another browser profile starts with both off')
  })
}
