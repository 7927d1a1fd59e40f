/// <reference lib="dom" />
// End to end in headless Chromium, issue 7: forms that guide. Hints and errors under their field
// (aria-describedby), the server's rules checked before sending, errors naming the rule and clearing
// on edit, autofocus, show password, progress while logging in, the login wait in seconds, no jump:
// with the machine's fonts and with DejaVu only (wider: a bare Debian's only font).
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { PASSWORD_PROBLEMS, USERNAME_PROBLEMS } from '../../lib/accounts/credentials.js'
import { startServer } from '../helpers/server.js'
import { FONTS, hasChromium, PASSWORD, PHONE, registerInUi, renderedFonts, useBrowser, type Fonts } from '../helpers/chromium-page.js'

const cardHeight = (page: Page) => page.locator('.login__form').evaluate((el) => el.getBoundingClientRect().height)
const describedBy = (page: Page, id: string) => page.locator(`#${id}`).getAttribute('aria-describedby')
const text = async (page: Page, testid: string) => ((await page.getByTestId(testid).textContent()) ?? '').trim()

/** The narrowest screen the page supports. */
const SMALL = { width: 320, height: 640 }

/** The DejaVu-only set-up really draws in DejaVu Sans (the machine's own fonts vary). */
async function drawnIn(t: Test, page: Page, fonts: Fonts) {
  if (fonts === 'dejavu') t.same(await renderedFonts(page, '.login__subtitle'), ['DejaVu Sans'], 'drawn in DejaVu Sans')
}

/** Holds the API answers of `path` until the returned function is called. */
async function holdAnswers(page: Page, path: string) {
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  await page.route(`**${path}`, async (route) => {
    await held
    await route.continue()
  })
  return release
}

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-ui-forms-screenshots'))

  for (const fonts of FONTS) for (const [size, viewport] of [['desktop', undefined], ['phone', PHONE], ['320 px', SMALL]] as const) {
    t.test(`register (${size}, ${fonts} fonts): the server's rules checked first, each error under its field naming the rule, cleared on edit, no jump`, async (t) => {
      const { origin } = await startServer(t)
      const page = await (await newContext(t, { ...(viewport && { viewport }), fonts })).newPage()
      const posts: string[] = []
      page.on('request', (r) => r.method() === 'POST' && posts.push(new URL(r.url()).pathname))
      await page.goto(origin + '/')
      await page.getByTestId('login-view').waitFor()
      await drawnIn(t, page, fonts)
      await page.waitForFunction(() => document.activeElement?.id === 'login-username')
      t.pass('the username field has the focus on arrival')
      // The mark loads on its own (an <img>): wait for it rather than racing it; a missing or broken
      // image never gets a natural width and times out here.
      const shown = await page
        .waitForFunction(() => {
          const img = document.querySelector<HTMLImageElement>('img.brand-mark')
          return img !== null && img.complete && img.naturalWidth > 0
        }, undefined, { timeout: 5000 })
        .then(() => true, () => false)
      t.ok(shown, 'the SVG brand mark is shown')

      await page.getByTestId('login-mode-toggle').click()
      t.equal(await describedBy(page, 'login-username'), 'login-username-error login-username-hint', 'username: error and hint tied to it')
      t.equal(await describedBy(page, 'login-password'), 'login-password-error login-password-hint', 'password: error and hint tied to it')
      t.match(await text(page, 'login-username-hint'), /3-32 characters/, 'the username hint is about the username only')
      t.match(await text(page, 'login-password-hint'), /8-128 characters/, 'the password hint is about the password only')
      const height = await cardHeight(page)

      await page.getByTestId('login-username').fill('al')
      await page.getByTestId('login-password').fill(PASSWORD)
      await page.getByTestId('login-submit').click()
      t.equal(await text(page, 'login-username-error'), USERNAME_PROBLEMS.length, 'names the rule: length')
      t.equal(await page.getByTestId('login-username').getAttribute('aria-invalid'), 'true')
      t.ok(await page.getByTestId('login-username-hint').isHidden(), 'the error takes the hint’s place')
      t.equal(await page.evaluate(() => document.activeElement?.id), 'login-username', 'the cursor goes to the field to fix')
      t.equal(await cardHeight(page), height, 'the card does not change height')

      // The longest rule text there is: still no jump.
      await page.getByTestId('login-username').fill('pаypal') // a Cyrillic а among Latin letters
      t.equal(await text(page, 'login-username-error'), '', 'the error clears on edit')
      t.equal(await page.getByTestId('login-username').getAttribute('aria-invalid'), null)
      await page.getByTestId('login-submit').click()
      t.equal(await text(page, 'login-username-error'), USERNAME_PROBLEMS.mixed_scripts, 'names the rule: one script')
      t.equal(await cardHeight(page), height, 'no jump with the longest error either')

      await page.getByTestId('login-username').fill('alice_smith')
      await page.getByTestId('login-password').fill('ALICE_smith')
      await page.getByTestId('login-submit').click()
      t.equal(await text(page, 'login-password-error'), PASSWORD_PROBLEMS.username, 'names the rule: not the username')
      t.equal(await text(page, 'login-username-error'), '')
      await page.getByTestId('login-password').fill('short')
      t.equal(await text(page, 'login-password-error'), '', 'cleared on edit')
      await page.getByTestId('login-submit').click()
      t.equal(await text(page, 'login-password-error'), PASSWORD_PROBLEMS.length, 'names the rule: length')
      t.equal(await cardHeight(page), height)
      t.same(posts, [], 'every mistake so far was caught before sending anything')

      // Show password: the text can be checked, then hidden again.
      t.equal(await page.getByTestId('login-password').getAttribute('type'), 'password')
      await page.getByTestId('show-password').click()
      t.equal(await page.getByTestId('login-password').getAttribute('type'), 'text', 'shown')
      t.equal(await page.getByTestId('show-password').textContent(), 'Hide password')
      await page.getByTestId('show-password').click()
      t.equal(await page.getByTestId('login-password').getAttribute('type'), 'password', 'hidden again')

      // What only the server knows (a taken name) lands on its field as well.
      const other = await (await newContext(t)).newPage()
      await registerInUi(other, origin, 'bob')
      await page.getByTestId('login-username').fill('Bob')
      await page.getByTestId('login-password').fill(PASSWORD)
      await page.getByTestId('login-submit').click()
      await page.getByTestId('login-username-error').getByText('That username is taken.').waitFor()
      t.equal(await cardHeight(page), height)
      t.same(posts, ['/api/register'], 'one round trip, for what only the server can tell')

      // Progress while the account is made and logged in.
      const release = await holdAnswers(page, '/api/login')
      await page.getByTestId('login-username').fill('carol')
      await page.getByTestId('login-submit').click()
      await page.getByTestId('login-submit').getByText('Creating account…').waitFor()
      t.ok(await page.getByTestId('login-submit').isDisabled(), 'no second submit meanwhile')
      t.equal(await page.locator('.login__form').getAttribute('aria-busy'), 'true')
      release()
      await page.getByTestId('chat-view').waitFor()
    })
  }

  for (const fonts of FONTS) t.test(`log in (${fonts} fonts): "Logging in…", a wrong password said once without a jump, the rate limit counted down in seconds`, async (t) => {
    const { origin } = await startServer(t, { loginFailuresPerMin: 2 })
    const page = await (await newContext(t, { fonts })).newPage()
    await registerInUi(page, origin, 'dave')
    await page.getByTestId('leave-chat').click()
    await page.getByTestId('login-view').waitFor()
    await drawnIn(t, page, fonts)
    const height = await cardHeight(page)

    await page.getByTestId('login-submit').click()
    t.equal(await text(page, 'login-username-error'), 'Enter your username.')
    t.equal(await text(page, 'login-password-error'), 'Enter your password.')
    t.equal(await cardHeight(page), height, 'no jump')

    await page.getByTestId('login-username').fill('dave')
    await page.getByTestId('login-password').fill('not the password')
    const release = await holdAnswers(page, '/api/login')
    await page.getByTestId('login-submit').click()
    await page.getByTestId('login-submit').getByText('Logging in…').waitFor()
    t.ok(await page.getByTestId('login-submit').isDisabled(), 'the button shows progress and waits')
    release()
    await page.getByTestId('login-error').getByText('Wrong username or password.').waitFor()
    t.equal(await cardHeight(page), height, 'no jump for the answer either')
    t.equal(await page.evaluate(() => document.activeElement?.id), 'login-password',
      'the cursor is back in the password, ready to retype (the disabled button had dropped it)')
    await page.getByTestId('login-password').fill('still not it')
    t.equal(await text(page, 'login-error'), '', 'the error clears on edit')

    // Two failures a minute from this address: the next answer is 429 with Retry-After.
    await page.getByTestId('login-submit').click()
    await page.getByTestId('login-error').getByText('Wrong username or password.').waitFor()
    await page.getByTestId('login-password').fill(PASSWORD)
    await page.getByTestId('login-submit').click()
    await page.getByTestId('login-error').getByText(/^Too many attempts\. Try again in \d+ s\.$/).waitFor()
    const first = Number(/(\d+) s/.exec(await text(page, 'login-error'))![1])
    t.ok(first > 1 && first <= 60, `the wait is given in seconds (${first} s)`)
    t.ok(await page.getByTestId('login-submit').isDisabled(), 'no submit during the wait')
    t.match(await text(page, 'login-submit'), /^Log in \(\d+ s\)$/, 'the button counts down too')
    await page.waitForFunction((s) => Number(/(\d+) s/.exec(document.querySelector('[data-testid="login-error"]')!.textContent!)?.[1]) < s, first)
    t.pass('the seconds count down')
    t.equal(await cardHeight(page), height)
  })
}
