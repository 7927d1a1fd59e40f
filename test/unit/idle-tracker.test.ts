import t from 'tap'
import { createIdleTracker } from '../../lib/sessions/idle-tracker.js'
import { tickInterval } from '../../plugins/app/idle-reaper.js'

t.test('warn at warnMs, kick at kickMs, counted from the last activity (fake clock)', async (t) => {
  const idle = createIdleTracker({ warnMs: 20_000, kickMs: 30_000 })
  idle.touch('s1', 0)
  t.same(idle.sweep(19_999), { warn: [], kick: [] })
  t.same(idle.sweep(20_000), { warn: [{ key: 's1', kickInMs: 10_000 }], kick: [] })
  t.same(idle.sweep(25_000), { warn: [], kick: [] }, 'warned once only')
  t.same(idle.sweep(30_000), { warn: [], kick: ['s1'] })
  t.notOk(idle.has('s1'), 'forgotten after the kick')
  t.same(idle.sweep(60_000), { warn: [], kick: [] })
})

t.test('activity after a warning starts the clock again', async (t) => {
  const idle = createIdleTracker({ warnMs: 100, kickMs: 300 })
  idle.touch('s1', 0)
  t.equal(idle.sweep(150).warn.length, 1)
  idle.touch('s1', 200)
  t.same(idle.sweep(299), { warn: [], kick: [] })
  t.same(idle.sweep(300), { warn: [{ key: 's1', kickInMs: 200 }], kick: [] })
  t.same(idle.sweep(500), { warn: [], kick: ['s1'] })
})

t.test('a late sweep kicks those past both limits without warning twice', async (t) => {
  const idle = createIdleTracker({ warnMs: 100, kickMs: 300 })
  idle.touch('a', 0)
  idle.touch('b', 250)
  t.same(idle.sweep(400), { warn: [{ key: 'b', kickInMs: 150 }], kick: ['a'] })
})

t.test('a sweep only visits keys that are due, in activity order', async (t) => {
  const idle = createIdleTracker({ warnMs: 100, kickMs: 200 })
  for (let i = 0; i < 1000; i++) idle.touch(`s${i}`, i)
  const due = idle.sweep(150)
  t.equal(due.warn.length, 51, 's0..s50 are due')
  t.same(due.warn.slice(0, 2).map((w) => w.key), ['s0', 's1'])
  idle.remove('s999')
  t.equal(idle.size, 999)
  t.throws(() => createIdleTracker({ warnMs: 100, kickMs: 100 }))
})

t.test('the sweep timer ticks fast enough for sub-second precision', async (t) => {
  t.equal(tickInterval(20_000, 30_000), 250)
  t.equal(tickInterval(300, 700), 75)
  t.equal(tickInterval(10, 20), 5)
})
