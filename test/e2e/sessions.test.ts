// End to end in headless Chromium: the Sessions view lists, ends and signs out other sessions.
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { startServer } from '../helpers/server.js'
import { hasChromium, PASSWORD, useBrowser } from '../helpers/chromium-page.js'

if (hasChromium(t)) {
  const { newContext } = useBrowser(t, join(import.meta.dirname, 'e2e-sessions-screenshots'))

  async function logInPage(t: Test, origin: string, username: string, register: boolean): Promise<Page> {
    const page = await (await newContext(t)).newPage()
    await page.goto(origin + '/')
    if (register) await page.getByTestId('login-mode-toggle').click()
    await page.getByTestId('login-username').fill(username)
    await page.getByTestId('login-password').fill(PASSWORD)
    await page.getByTestId('login-submit').click()
    await page.locator('[data-testid="composer-input"]:enabled').waitFor()
    return page
  }

  t.test('the Sessions view marks this session, ends another, and changes the password', async (t) => {
    const { origin } = await startServer(t)
    const laptop = await logInPage(t, origin, 'alice', true)
    const phone = await logInPage(t, origin, 'alice', false)
    const tablet = await logInPage(t, origin, 'alice', false)

    await laptop.getByTestId('open-sessions').click()
    const rows = laptop.getByTestId('session-row')
    await rows.nth(2).waitFor()
    t.equal(await rows.count(), 3)
    t.equal(await laptop.locator('[data-testid="session-row"][data-current="true"]').count(), 1, 'one session is marked current')
    t.match(await rows.first().textContent(), /Chrome/, 'browser family shown')

    await laptop.getByTestId('session-end').first().click()
    await laptop.locator('[data-testid="session-row"]').nth(2).waitFor({ state: 'detached' })
    await phone.getByTestId('login-view').waitFor()
    t.pass('the ended session is sent back to the login at once')

    await laptop.getByTestId('password-old').fill(PASSWORD)
    await laptop.getByTestId('password-new').fill('a brand new password')
    await laptop.getByTestId('password-submit').click()
    await laptop.getByTestId('password-status').getByText('Password changed. 1 other session signed out.').waitFor()
    await tablet.getByTestId('login-view').waitFor()
    t.pass('the password change signs out the other session')
    t.equal(await laptop.getByTestId('session-row').count(), 1)
    t.ok(await laptop.locator('[data-testid="composer-input"]:enabled').isVisible(), 'this session stays in the chat')
  })
}
