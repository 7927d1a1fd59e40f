// The page's activity reporting: at most once per interval, the last burst not lost (fake clock).
import t from 'tap'
import { createThrottle, type Timers } from '../../web/throttle.js'

function fakeTimers() {
  let now = 0
  const due: { at: number; fn: () => void; id: number }[] = []
  let ids = 0
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      due.push({ at: now + ms, fn, id: ++ids })
      return ids
    },
    clearTimeout: (id) => {
      const i = due.findIndex((d) => d.id === id)
      if (i >= 0) due.splice(i, 1)
    }
  }
  const advance = (ms: number) => {
    now += ms
    for (const d of [...due].sort((a, b) => a.at - b.at)) {
      if (d.at <= now) {
        due.splice(due.indexOf(d), 1)
        d.fn()
      }
    }
  }
  return { timers, advance }
}

t.test('activity is reported at once, then at most once per 5 s, trailing burst included', async (t) => {
  const { timers, advance } = fakeTimers()
  const calls: number[] = []
  let clock = 0
  const throttle = createThrottle(() => calls.push(timers.now()), 5000, timers)
  const at = (ms: number) => {
    advance(ms - clock)
    clock = ms
  }
  throttle.poke()
  t.same(calls, [0], 'first activity reported immediately')
  at(1000); throttle.poke()
  at(2000); throttle.poke()
  t.same(calls, [0], 'nothing more inside the 5 s window')
  at(5000)
  t.same(calls, [0, 5000], 'one trailing report at the end of the window')
  at(20_000)
  t.same(calls, [0, 5000], 'no activity, no reports')
  throttle.poke()
  t.same(calls, [0, 5000, 20_000])
  at(21_000); throttle.poke(); throttle.cancel()
  at(30_000)
  t.same(calls, [0, 5000, 20_000], 'cancel drops the pending report')
})
