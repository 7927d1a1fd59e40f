import t from 'tap'
import { connect, logIn, PASSWORD, refusal, request, signUp } from '../helpers/clients.js'
import { startServer } from '../helpers/server.js'

const WARN = 300
const KICK = 700

t.test('an idle session is warned, then disconnected with 4000 and ended', async (t) => {
  const server = await startServer(t, { idleWarnMs: WARN, idleKickMs: KICK })
  await request(server, 'POST', '/api/register', { body: { username: 'alice', password: PASSWORD } })
  // Taken before logging in: login is the session's first activity, so its clock starts after this.
  const start = Date.now()
  const cookie = await logIn(server, 'alice')
  const alice = await connect(server, cookie)
  t.match((await alice.next('welcome')).limits, { idleWarnMs: WARN, idleKickMs: KICK })

  const warning = await alice.next('idle_warning', undefined, 3000)
  const warnedAt = Date.now() - start
  // Never early; the upper bound is loose because CI machines are shared and noisy (the
  // sweep's own precision is proven with a fake clock in unit/idle-tracker.test.ts).
  t.ok(warnedAt >= WARN - 2 && warnedAt < WARN + 1000, `warned after ${warnedAt} ms`)
  t.ok(warning.kickInMs > 0 && warning.kickInMs <= KICK - WARN, `kickInMs ${warning.kickInMs}`)

  const closed = await alice.waitClose(3000)
  const kickedAt = Date.now() - start
  t.same(closed, { code: 4000, reason: 'idle' })
  t.ok(kickedAt >= KICK - 2 && kickedAt < KICK + 1000, `kicked after ${kickedAt} ms`)

  t.equal(await refusal(connect(server, cookie)), 401, 'the old cookie cannot reconnect')
  t.equal((await request(server, 'GET', '/api/me', { cookie })).status, 401, 'the session is over')
})

t.test('sending a message is activity: it postpones the warning and the kick', async (t) => {
  const warnMs = 600
  const server = await startServer(t, { idleWarnMs: warnMs, idleKickMs: 2 * warnMs, messageRatePerSec: 50 })
  const cookie = await signUp(server, 'alice')
  const alice = await connect(server, cookie)
  await alice.next('welcome')
  // Keep talking for longer than the kick time; each message restarts the clock.
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, warnMs / 4))
    alice.send({ type: 'message', text: `tick ${i}` })
    await alice.next('message')
  }
  t.notOk(alice.closed, 'still connected after twice the warning time')
  t.equal(alice.frames.filter((f) => f.type === 'idle_warning').length, 0, 'never warned')
  await alice.next('idle_warning', undefined, 3000)
  t.same(await alice.waitClose(3000), { code: 4000, reason: 'idle' }, 'and is kicked once quiet')
})

t.test('refused messages are not activity', async (t) => {
  const server = await startServer(t, { idleWarnMs: WARN, idleKickMs: KICK })
  const alice = await connect(server, await signUp(server, 'alice'))
  const sender = setInterval(() => alice.send({ type: 'message', text: '' }), 50)
  t.teardown(() => clearInterval(sender))
  await alice.next('idle_warning', undefined, 3000)
  t.same(await alice.waitClose(3000), { code: 4000, reason: 'idle' })
})

t.test('the kick ends only the idle session: other users stay', async (t) => {
  const server = await startServer(t, { idleWarnMs: WARN, idleKickMs: KICK, messageRatePerSec: 50 })
  const alice = await connect(server, await signUp(server, 'alice'))
  const bob = await connect(server, await signUp(server, 'bob'))
  t.teardown(() => bob.ws.close())
  const keepBobBusy = setInterval(() => bob.send({ type: 'message', text: 'busy' }), WARN / 3)
  t.teardown(() => clearInterval(keepBobBusy))
  t.same(await alice.waitClose(3000), { code: 4000, reason: 'idle' })
  t.notOk(bob.closed, 'bob is still connected')
})

t.test('connecting is not activity: a socket opened late gets the warning at once and the kick on time', async (t) => {
  const server = await startServer(t, { idleWarnMs: WARN, idleKickMs: KICK })
  const cookie = await signUp(server, 'alice')
  const loggedInBy = Date.now()
  await new Promise((r) => setTimeout(r, WARN + 100))
  const alice = await connect(server, cookie)
  await alice.next('welcome')
  const warning = await alice.next('idle_warning', undefined, 500)
  t.ok(warning.kickInMs <= KICK - WARN, `kickInMs ${warning.kickInMs} counts from the login, not the connect`)
  t.same(await alice.waitClose(3000), { code: 4000, reason: 'idle' })
  t.ok(Date.now() - loggedInBy < KICK + 1000, 'kicked on the clock that started at login')
})
