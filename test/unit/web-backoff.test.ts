// The page's reconnect delays: exponential ceiling, full jitter, capped.
import t from 'tap'
import { backoffCeiling, backoffDelay, RECONNECT_BACKOFF } from '../../web/backoff.js'

const opts = { baseMs: 500, maxMs: 30_000 }

t.test('the ceiling doubles per attempt and stops at the maximum', async (t) => {
  t.same([0, 1, 2, 3, 4, 5, 6, 7].map((a) => backoffCeiling(a, opts)), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000])
  t.equal(backoffCeiling(1000, opts), 30_000, 'huge attempt counts do not overflow')
})

t.test('full jitter: the delay is uniform in [0, ceiling)', async (t) => {
  t.equal(backoffDelay(3, opts, () => 0), 0)
  t.equal(backoffDelay(3, opts, () => 0.5), 2000)
  t.equal(backoffDelay(3, opts, () => 0.999999), 3999)
  // Many clients retrying attempt 5 spread over the whole window instead of arriving together.
  const delays = Array.from({ length: 2000 }, () => backoffDelay(5, opts))
  const buckets = [0, 0, 0, 0]
  for (const d of delays) buckets[Math.floor(d / 4000)]!++
  for (const n of buckets) t.ok(n > 350 && n < 650, `each quarter of the window gets ~500 (got ${n})`)
  t.ok(delays.every((d) => d >= 0 && d < 16_000))
})

t.test('the page uses a sub-second first retry and a 30 s cap', async (t) => {
  t.ok(RECONNECT_BACKOFF.baseMs <= 1000)
  t.equal(RECONNECT_BACKOFF.maxMs, 30_000)
})
