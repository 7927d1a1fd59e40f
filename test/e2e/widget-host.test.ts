// The widget and its host page leave each other alone: a hostile host stylesheet cannot break the
// launcher or panel, the widget adds no global but Parley and no style to the page, no ticket reaches
// the host page, postMessage from a wrong origin is ignored on both sides, and calls queued before
// the script loaded run. Host https://127.0.0.1:P2, chat https://localhost:P1.
import t from 'tap'
import type { Page } from 'playwright-core'
import { haveChromium, newWatchedContext } from '../helpers/browser.js'
import { badge, chatAsGuest, chatFrame, events, launcher, openShadows, panel, sharedChromium, startWidgetWorld, widgetFrame } from '../helpers/widget.js'

/** The full computed style of a few host elements, to compare with and without the widget. */
const hostStyles = (page: Page) =>
  page.evaluate(() =>
    ['body', 'main', 'h1', 'p', 'a', '#host-button'].map((sel) => {
      const cs = getComputedStyle(document.querySelector(sel)!)
      return `${sel} { ${Array.from(cs, (p) => `${p}: ${cs.getPropertyValue(p)}`).join('; ')} }`
    })
  )

if (haveChromium(t)) {
  const browser = sharedChromium(t)

  t.test('a hostile host stylesheet (body * { all: unset !important; display: none !important } & co.) cannot hide or shrink the widget', async (t) => {
    const { host } = await startWidgetWorld(t)
    const { context, incidents } = await newWatchedContext(t, browser())
    await context.addInitScript(openShadows)
    const page = await context.newPage()
    await page.goto(host.origin + '/hostile')
    t.equal(await page.locator('h1').isVisible(), false, 'the hostile sheet is in force (the host page\'s own heading is gone)')
    await launcher(page).waitFor()
    t.same(await launcher(page).boundingBox(), { x: 1280 - 20 - 56, y: 720 - 20 - 56, width: 56, height: 56 }, 'the launcher keeps its size and corner')
    t.equal(await launcher(page).evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(47, 95, 208)', 'and its colour')
    await launcher(page).click()
    const frame = await page.locator('[data-parley-widget] iframe').boundingBox()
    t.ok(frame && frame.width === 380 && frame.height > 300, `the panel opens at full size (${frame?.width}x${frame?.height})`)
    await chatAsGuest(page)
    await widgetFrame(page).getByTestId('composer-input').fill('styles cannot stop me')
    await widgetFrame(page).getByTestId('composer-input').press('Enter')
    await widgetFrame(page).getByTestId('message-text').filter({ hasText: 'styles cannot stop me' }).waitFor()
    t.pass('and the chat works')
    t.same(incidents.errors, [])
  })

  t.test('the widget leaves the host page alone: no global but Parley, no styles, host elements styled as without it, no ticket in the page', async (t) => {
    const { host, chatOrigin } = await startWidgetWorld(t)
    const { context } = await newWatchedContext(t, browser())
    await context.addInitScript(openShadows)
    // Before any page script: the window's own names (kept under a symbol, which adds no name).
    await context.addInitScript(() => {
      ;(window as any)[Symbol.for('parley-test-globals')] = Object.getOwnPropertyNames(window)
    })
    const page = await context.newPage()
    await page.goto(host.origin + '/plain')
    const without = await hostStyles(page)
    const sheets = await page.evaluate(() => document.styleSheets.length)

    await page.goto(host.origin + '/')
    const guest = page.waitForResponse((r) => r.url() === `${chatOrigin}/api/embed/guest`)
    await chatAsGuest(page)
    const { ticket } = await (await guest).json()
    t.ok(ticket, 'the guest login answered a ticket (to the iframe)')
    const added = await page.evaluate(() => {
      const before: string[] = (window as any)[Symbol.for('parley-test-globals')]
      return Object.getOwnPropertyNames(window).filter((n) => !before.includes(n) && !/^\d+$/.test(n)).sort()
    })
    t.same(added, ['Parley', 'parleyCsp', 'parleyEvents', 'parleyGlobals'], 'new globals: Parley, and the host page\'s own three (host.js)')
    t.equal(await page.evaluate(() => typeof (window as any).Parley.open), 'function', 'Parley is the widget API')
    t.same(await hostStyles(page), without, 'every computed style of the host\'s elements is as without the widget')
    t.same(await page.evaluate(() => ({
      styles: document.querySelectorAll('style').length,
      adopted: document.adoptedStyleSheets.length,
      sheets: document.styleSheets.length,
      styleAttr: document.querySelector('[data-parley-widget]')?.getAttribute('style') ?? null,
      added: document.body.children.length - document.querySelectorAll('body > main').length
    })), { styles: 0, adopted: 0, sheets, styleAttr: null, added: 1 }, 'no <style>, no adopted or extra sheet, no style attribute; one element added')
    const hostSide = await page.evaluate(() => [document.documentElement.outerHTML, location.href, document.cookie,
      JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }), JSON.stringify((window as any).parleyEvents)].join('\n'))
    t.notOk(hostSide.includes(ticket), 'the ticket is nowhere in the host page (DOM, URL, cookies, storage, events)')
    t.notOk((await page.locator('[data-parley-widget] iframe').getAttribute('src'))!.includes(ticket), 'nor in the iframe URL')
    const inFrame = await (await chatFrame(page)).evaluate(() => {
      let storage = ''
      try {
        storage = JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })
      } catch {} // third-party storage may be blocked altogether
      return storage + location.href
    })
    t.notOk(inFrame.includes(ticket), 'the iframe keeps it in memory only (not in its storage or URL)')
  })

  t.test('postMessage from a wrong origin is ignored by the loader and by the iframe; the right one is heard', async (t) => {
    const { host, stranger, chatOrigin } = await startWidgetWorld(t)
    const { context } = await newWatchedContext(t, browser())
    await context.addInitScript(openShadows)
    const page = await context.newPage()
    await page.goto(host.origin + '/')
    await chatAsGuest(page)
    await page.evaluate(() => (window as any).Parley.close())
    // An attacker's window on another origin that holds a reference to the host page (its opener).
    const [attacker] = await Promise.all([context.waitForEvent('page'), page.evaluate((url) => void window.open(url), `${stranger.origin}/plain`)])
    await attacker!.waitForLoadState()
    const reach = await attacker!.evaluate(() => {
      window.opener.postMessage({ parley: 1, type: 'unread', count: 7 }, '*')
      window.opener.postMessage({ parley: 1, type: 'close' }, '*')
      return window.opener.length
    })
    t.equal(reach, 0, 'the attacker cannot even reach the widget iframe (in a shadow root it is not in window.frames)')
    await page.waitForTimeout(700)
    t.equal(await badge(page).isHidden(), true, 'loader: no badge from the stranger\'s "unread 7"')
    t.notOk((await page.evaluate(() => (window as any).parleyEvents)).some((e: any) => e.name === 'unread' && e.detail === 7), 'and no unread event')
    // The host page's own window posts from the host origin: not the iframe either.
    await page.evaluate(() => window.postMessage({ parley: 1, type: 'unread', count: 7 }, '*'))
    // With the iframe as source but another origin (what a navigated-away frame would send): ignored.
    await page.evaluate(() => {
      const frame = document.querySelector('[data-parley-widget]')!.shadowRoot!.querySelector('iframe')!
      window.dispatchEvent(new MessageEvent('message', { data: { parley: 1, type: 'unread', count: 7 }, origin: 'https://evil.example', source: frame.contentWindow }))
    })
    await page.waitForTimeout(300)
    t.equal(await badge(page).isHidden(), true, 'loader: neither the host\'s own window nor a wrong origin with the iframe as source is heard')
    const frame = await chatFrame(page)
    await frame.evaluate(() => {
      const init = { parley: 1, type: 'init', open: true, userToken: 'forged' }
      window.dispatchEvent(new MessageEvent('message', { data: init, origin: 'https://evil.example', source: window.parent }))
      window.postMessage(init, '*') // its own window: the right origin only by accident, not the parent
    })
    await page.waitForTimeout(700)
    t.equal(await widgetFrame(page).getByTestId('widget-login').count(), 0, 'iframe: an "init" with a forged identity from a wrong origin or window did nothing (still chatting)')

    // Controls: the same messages from the right peers are acted on.
    await frame.evaluate((origin) => window.parent.postMessage({ parley: 1, type: 'unread', count: 7 }, origin), host.origin)
    await badge(page).filter({ hasText: '7' }).waitFor()
    t.pass('loader: "unread 7" from the iframe (chat origin) shows the badge')
    await page.evaluate((origin) => {
      const frame = document.querySelector('[data-parley-widget]')!.shadowRoot!.querySelector('iframe')!
      frame.contentWindow!.postMessage({ parley: 1, type: 'init', open: true, userToken: 'forged' }, origin)
    }, chatOrigin)
    await widgetFrame(page).getByTestId('widget-error').filter({ hasText: /not valid/ }).waitFor({ state: 'attached' })
    t.pass('iframe: the same "init" from the embedding page is acted on (and the forged identity refused)')
  })

  t.test('calls queued before the script loaded run in order; push, on and the methods work after', async (t) => {
    const { host } = await startWidgetWorld(t)
    const { context } = await newWatchedContext(t, browser())
    await context.addInitScript(openShadows)
    await context.addInitScript(() => {
      const w = window as any
      w.queuedSeen = []
      w.Parley = [['on', 'open', () => w.queuedSeen.push('open')], ['toggle'], ['on', 'ready', () => w.queuedSeen.push('ready')]]
    })
    const page = await context.newPage()
    await page.goto(host.origin + '/')
    await panel(page).waitFor({ state: 'visible' })
    t.equal(await launcher(page).getAttribute('aria-expanded'), 'true', 'the queued toggle opened the panel')
    await widgetFrame(page).getByTestId('widget-guest').click()
    await page.waitForFunction(() => (window as any).queuedSeen.includes('ready'))
    t.same(await page.evaluate(() => (window as any).queuedSeen), ['open', 'ready'], 'queued listeners heard open, then ready')
    await page.evaluate(() => {
      const w = window as any
      w.Parley.on('close', () => w.queuedSeen.push('close (on after load)'))
      w.Parley.push(['close'])
    })
    await panel(page).waitFor({ state: 'hidden' })
    t.same(await page.evaluate(() => (window as any).queuedSeen), ['open', 'ready', 'close (on after load)'], 'push([close]) and on() after load')
    await page.evaluate(() => (window as any).Parley.open())
    await panel(page).waitFor({ state: 'visible' })
    await page.evaluate(() => (window as any).Parley.toggle())
    await panel(page).waitFor({ state: 'hidden' })
    t.pass('open() and toggle() after load')
    t.ok((await events(page)).includes('ready'), 'the host page\'s own queued listeners were kept as well')
  })
}
