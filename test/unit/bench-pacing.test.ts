// The generator's senders stay below the per-user limit across load steps, not only within one.
import t from 'tap'
import { firstDue } from '../../bench/loadgen/pacing.mjs'

t.test('a sender never sends its first message of a step within a period of its last one', async (t) => {
  const period = 1000 / 0.95
  t.equal(firstDue(10_000, period, undefined, 0.5), 10_000 + period / 2, 'no earlier send: a random phase')
  t.equal(firstDue(10_000, period, 9_900, 0.1), 9_900 + period, 'sent 100 ms before the step: waits out its period')
  t.equal(firstDue(10_000, period, 5_000, 0.3), 10_000 + 0.3 * period, 'long ago: the random phase')
  let shortest = Infinity
  for (let i = 0; i < 1000; i++) {
    const last = 10_000 - Math.random() * 2 * period
    shortest = Math.min(shortest, firstDue(10_000, period, last, Math.random()) - last)
  }
  t.ok(shortest >= period - 1e-9, `1,000 random cases: the shortest gap is ${shortest.toFixed(1)} ms`)
})
