// The page's link: reconnects with backoff after a drop, asks the session after a refused upgrade,
// never reconnects a kicked, logged-out or expired session (fake sockets and clock).
import t from 'tap'
import type { ConnectionHandlers } from '../../web/connection-types.js'
import { en } from '../../web/i18n/en.js'
import { createLink, type SessionCheck } from '../../web/link.js'
import type { Timers } from '../../web/throttle.js'

function harness(checks: SessionCheck[] = []) {
  let now = 0
  const timers: { at: number; fn: () => void; id: number }[] = []
  let ids = 0
  const fake: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => (timers.push({ at: now + ms, fn, id: ++ids }), ids),
    clearTimeout: (id) => {
      const i = timers.findIndex((x) => x.id === id)
      if (i >= 0) timers.splice(i, 1)
    }
  }
  const sockets: { handlers: ConnectionHandlers; closed: boolean; sent: unknown[] }[] = []
  const events: string[] = []
  const link = createLink(
    {
      open(handlers) {
        const s = { handlers, closed: false, sent: [] as unknown[] }
        sockets.push(s)
        return { send: (f) => (s.sent.push(f), true), close: () => void (s.closed = true) }
      },
      checkSession: async () => checks.shift() ?? { kind: 'ok' },
      timers: fake,
      random: () => 0.5,
      backoff: { baseMs: 1000, maxMs: 8000 }
    },
    {
      onFrame: (f) => events.push(`frame:${f.type}`),
      onStatus: (s, problem, retryAt) => events.push(`status:${s}${problem ? ':problem' : ''}${retryAt ? `@${retryAt}` : ''}`),
      onDown: () => events.push('down'),
      onEnded: (code) => events.push(`ended:${code}`)
    }
  )
  const welcome = () =>
    sockets.at(-1)!.handlers.onFrame({ type: 'welcome', user: 'a', room: 'lobby', limits: { maxChars: 1, ratePerSec: 1, idleWarnMs: 1, idleKickMs: 2, idleActivity: 'input' } })
  const tick = async (ms: number) => {
    now += ms
    for (const x of [...timers].sort((a, b) => a.at - b.at)) if (x.at <= now) (timers.splice(timers.indexOf(x), 1), x.fn())
    await new Promise((r) => setImmediate(r))
  }
  return { link, sockets, events, welcome, tick, pendingTimers: () => timers.length }
}

t.test('a dropped socket reconnects after a jittered, growing delay; welcome resets it', async (t) => {
  const h = harness()
  h.link.start()
  h.welcome()
  t.equal(h.link.status, 'open')
  t.ok(h.link.send({ type: 'activity' }))
  h.sockets[0]!.handlers.onClose(1006, true)
  t.equal(h.link.status, 'reconnecting')
  t.notOk(h.link.send({ type: 'activity' }), 'nothing is sent while down')
  t.ok(h.events.includes('status:reconnecting@500'), 'first retry within the 1 s ceiling (jitter 0.5)')
  await h.tick(500)
  t.equal(h.sockets.length, 2, 'reconnected')
  h.sockets[1]!.handlers.onClose(1006, true)
  t.ok(h.events.includes('status:reconnecting@1500'), 'second retry: ceiling 2 s')
  await h.tick(1000)
  h.welcome()
  h.sockets[2]!.handlers.onClose(1001, true)
  t.equal(h.events.at(-1), 'status:reconnecting@2000', 'after a welcome the backoff starts over')
})

t.test('a refused upgrade asks the session: 401 ends it for good', async (t) => {
  const h = harness([{ kind: 'ended' }])
  h.link.start()
  h.sockets[0]!.handlers.onClose(1006, false)
  await h.tick(0)
  t.equal(h.events.at(-1), 'ended:0')
  await h.tick(60_000)
  t.equal(h.sockets.length, 1, 'never reconnected')
  t.equal(h.pendingTimers(), 0)
})

t.test('refusals with a live session are explained; 429 waits as told', async (t) => {
  const h = harness([{ kind: 'ok' }, { kind: 'ok' }, { kind: 'refused', message: 'busy', retryAfterMs: 20_000 }])
  h.link.start()
  h.sockets[0]!.handlers.onClose(1006, false)
  await h.tick(0)
  t.notMatch(h.events.at(-1)!, /problem/, 'one refusal could be a restart: no alarm yet')
  await h.tick(500)
  h.sockets[1]!.handlers.onClose(1006, false)
  await h.tick(0)
  t.match(h.events.at(-1)!, /problem/, en['link.refused'])
  await h.tick(2000)
  h.sockets[2]!.handlers.onClose(1006, false)
  await h.tick(0)
  t.equal(h.events.at(-1), `status:reconnecting:problem@${2500 + 20_000}`, 'Retry-After is respected')
  h.link.retryNow()
  t.equal(h.sockets.length, 4, 'retry now does not wait')
})

t.test('kicked, idle, logged out or expired: never reconnected', async (t) => {
  for (const code of [4000, 4001, 4002, 4003]) {
    const h = harness()
    h.link.start()
    h.welcome()
    h.sockets[0]!.handlers.onClose(code, true)
    await h.tick(60_000)
    t.equal(h.sockets.length, 1, `close ${code}: no reconnect`)
    t.equal(h.events.at(-1), `ended:${code}`)
    h.link.retryNow()
    t.equal(h.sockets.length, 1, `close ${code}: retry now does nothing`)
  }
})

t.test('offline drops the socket and waits; online reconnects at once', async (t) => {
  const h = harness()
  h.link.start()
  h.welcome()
  h.link.setOffline(true)
  t.ok(h.sockets[0]!.closed)
  t.equal(h.link.status, 'offline')
  t.ok(h.events.includes('down'))
  await h.tick(60_000)
  t.equal(h.sockets.length, 1, 'no attempts while offline')
  h.link.setOffline(false)
  t.equal(h.sockets.length, 2)
  h.link.stop()
  h.sockets[1]!.handlers.onClose(1006, true)
  await h.tick(60_000)
  t.equal(h.sockets.length, 2, 'a stopped link stays down')
})
