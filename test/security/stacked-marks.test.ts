// Tall stacks of combining marks ("Zalgo") in headless Chromium: the page clips them, so a message
// never draws over its neighbours. Ink is found by colouring the stacked message red and looking
// for red pixels outside its box in a screenshot.
import { existsSync } from 'node:fs'
import t from 'tap'
import type { Page } from 'playwright-core'
import { startServer } from '../helpers/server.js'
import { PASSWORD, signUp } from '../helpers/clients.js'
import { enterChat, haveChromium, newWatchedContext, sharedChromium } from '../helpers/browser.js'

const ABOVE = '\u030d\u030e\u0304\u0305\u033f\u0311\u0306\u0310\u0352\u0357\u0351\u0307\u0308\u030a\u0342\u0343'
const BELOW = '\u0316\u0317\u0318\u0319\u031c\u031d\u031e\u031f\u0320\u0324\u0325\u0326\u0329\u032a\u032b\u032c'
// Three letters, each under and over a tower of 32 marks (past the server's own limits, if any:
// the message is posted straight to the hub, as one that slipped through would be).
const ZALGO = ['Z', 'a', 'l'].map((c) => c + ABOVE + BELOW).join('')
// DejaVu (Chromium's only font on a bare Debian) draws all marks of a letter on one spot; Noto Sans
// stacks them as real systems' fonts do, so the test renders the message in it.
const NOTO = '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf'
const NOTO_INSTALL = 'apt-get install -y --no-install-recommends fonts-noto-core'

interface Box { x: number; y: number; width: number; height: number }

// The bounding box of the red pixels of a PNG screenshot, decoded in a blank page's canvas.
async function redInk(decoder: Page, png: Buffer): Promise<Box | null> {
  return decoder.evaluate(`(async () => {
    const img = new Image()
    img.src = 'data:image/png;base64,${png.toString('base64')}'
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = img.width
    canvas.height = img.height
    const ctx = canvas.getContext('2d')
    ctx.drawImage(img, 0, 0)
    const { data } = ctx.getImageData(0, 0, img.width, img.height)
    let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1
    for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 4
      if (data[i] > 180 && data[i + 1] < 90 && data[i + 2] < 90) {
        x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y)
      }
    }
    return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }
  })()`)
}

const inside = (inner: Box, outer: Box) =>
  inner.x >= outer.x - 1 && inner.y >= outer.y - 1 &&
  inner.x + inner.width <= outer.x + outer.width + 1 && inner.y + inner.height <= outer.y + outer.height + 1
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

/**
 * True when Noto Sans is there; otherwise the file is skipped, with the reason, under CI too: only this
 * test needs the font (the page itself is tested with DejaVu as well), so a missing font is not a
 * broken set-up, as a missing Chromium is.
 */
function haveNoto(): boolean {
  if (existsSync(NOTO)) return true
  t.plan(0, `${NOTO} is missing, so stacked marks would not stack (DejaVu draws them on one spot); install it with: ${NOTO_INSTALL}`)
  return false
}

if (haveChromium(t) && haveNoto()) {
  const browser = sharedChromium(t)

  t.test('a message of stacked marks draws nothing over its neighbours', async (t) => {
    const server = await startServer(t)
    const { context, incidents } = await newWatchedContext(t, browser())
    await signUp(server, 'alice')
    const page = await context.newPage()
    await page.setViewportSize({ width: 800, height: 900 })
    await enterChat(page, server.origin, 'alice', PASSWORD)
    // Bob, a member of the lobby on the server side only, says three things.
    const bob = { user: 'bob', send: () => {} }
    server.app.roomHub.join(bob, 'lobby')
    for (const text of ['the message before', ZALGO, 'the message after']) server.app.roomHub.post(bob, 'lobby', text)
    await server.app.roomHub.drain()
    const messages = page.getByTestId('message')
    await messages.nth(2).waitFor()

    // Red text in Noto Sans on the stacked message only (CSSOM, which the page's CSP allows); nothing else is red.
    const style = (css: string) => page.evaluate(`Object.assign(document.querySelectorAll('[data-testid="message"]')[1].style, ${css})`)
    await style(`{ color: 'rgb(255, 0, 0)', fontFamily: 'Noto Sans' }`)
    const [before, zalgo, after] = (await Promise.all([0, 1, 2].map((i) => messages.nth(i).boundingBox()))) as Box[]
    const decoder = await context.newPage()
    const ink = await redInk(decoder, await page.screenshot())
    t.ok(ink, 'the stacked message drew something')
    t.ok(inside(ink!, zalgo!), `its ink ${JSON.stringify(ink)} stays inside its box ${JSON.stringify(zalgo)}`)
    t.notOk(overlaps(ink!, before!), 'no ink over the message before')
    t.notOk(overlaps(ink!, after!), 'no ink over the message after')
    t.notOk(overlaps(zalgo!, before!) || overlaps(zalgo!, after!), 'the boxes themselves do not overlap')

    // The scenario is real: with the page's clipping undone, the same marks do reach both neighbours.
    await style(`{ contain: 'none' }`)
    await page.evaluate(`document.querySelectorAll('[data-testid="message-text"]')[1].style.overflow = 'visible'`)
    const unclipped = await redInk(decoder, await page.screenshot())
    t.ok(unclipped && overlaps(unclipped, before!) && overlaps(unclipped, after!),
      `unclipped, the ink ${JSON.stringify(unclipped)} covers both neighbours`)
    t.same(await page.getByTestId('message-text').nth(1).textContent(), ZALGO, 'the text itself is intact')
    t.same(incidents, { dialogs: [], errors: [], csp: [] })
  })
}
