import t from 'tap'
import { createGcra, createRateLimiter, jitterTolerance } from '../../lib/shared/rate-limiter.js'

t.test('1/s: a second message within the second is refused with the time left', async (t) => {
  const limiter = createRateLimiter(1)
  t.equal(limiter.take('alice', 1000), 0)
  t.equal(limiter.take('alice', 1400), 600)
  t.equal(limiter.take('alice', 1999), 1)
  t.equal(limiter.take('alice', 2000), 0, 'allowed again after exactly one second')
  t.equal(limiter.take('bob', 2000), 0, 'users have their own buckets')
})

t.test('refused attempts do not push the next allowed time back', async (t) => {
  const limiter = createRateLimiter(1)
  limiter.take('alice', 0)
  for (let now = 10; now < 1000; now += 10) t.ok(limiter.take('alice', now) > 0)
  t.equal(limiter.take('alice', 1000), 0)
})

t.test('N/s allows bursts of N, then one every 1/N s', async (t) => {
  const limiter = createRateLimiter(4)
  for (let i = 0; i < 4; i++) t.equal(limiter.take('a', 0), 0)
  t.equal(limiter.take('a', 0), 250)
  t.equal(limiter.take('a', 250), 0)
  t.equal(limiter.take('a', 250), 250)
})

t.test('fractional rates work and prune forgets full buckets', async (t) => {
  const limiter = createRateLimiter(0.5)
  t.equal(limiter.take('a', 0), 0)
  t.equal(limiter.take('a', 1000), 1000)
  t.equal(limiter.size, 1)
  limiter.prune(1999)
  t.equal(limiter.size, 1)
  limiter.prune(2000)
  t.equal(limiter.size, 0)
  t.throws(() => createRateLimiter(0))
})

t.test('burst and wait: 10 per minute allows 10 at once, then one every 6 s; wait never takes', async (t) => {
  let now = 0
  const limiter = createRateLimiter(10 / 60, { burst: 10, clock: () => now })
  for (let i = 0; i < 10; i++) t.equal(limiter.take('ip'), 0)
  t.equal(limiter.wait('ip'), 6000)
  t.equal(limiter.wait('ip'), 6000, 'wait does not consume')
  t.equal(limiter.take('ip'), 6000)
  now = 6000
  t.equal(limiter.wait('ip'), 0)
  t.equal(limiter.take('ip'), 0)
  t.equal(limiter.take('ip'), 6000)
  limiter.refund('ip')
  t.equal(limiter.take('ip'), 0, 'a refunded token can be taken again')
  limiter.refund('nobody')
  t.equal(limiter.size, 1)
})

t.test('refunding every token empties the bucket entry', async (t) => {
  const limiter = createRateLimiter(1, { clock: () => 0 })
  limiter.take('a')
  limiter.refund('a')
  t.equal(limiter.size, 0)
})

// Jitter tolerance (GCRA: accept when now >= TAT - tau, then TAT = max(TAT, now) + T), fake clock.
const tolerant = (rate: number) => createRateLimiter(rate, { toleranceMs: jitterTolerance(rate) })

/** A deterministic pseudo-random sequence in [0, 1), so failures reproduce. */
function seeded(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
}

t.test('a steady sender at 0.95/s with arrival jitter of +-150 ms is never refused at 1/s', async (t) => {
  const limiter = tolerant(1)
  const random = seeded(42)
  let refused = 0
  for (let i = 0; i < 20_000; i++) {
    const sent = i * (1000 / 0.95)
    const arrived = sent + (random() - 0.5) * 300
    if (limiter.take('alice', arrived) > 0) refused++
  }
  t.equal(refused, 0, 'no message of 20,000 refused')
})

t.test('the issue\'s case: gaps of 1.05 s arriving as 0.99 s and 1.11 s are accepted', async (t) => {
  const limiter = tolerant(1)
  t.equal(limiter.take('a', 0), 0)
  t.equal(limiter.take('a', 990), 0)
  t.equal(limiter.take('a', 2100), 0)
  t.equal(limiter.take('a', 3150), 0)
})

t.test('a steady sender under load (arrivals delayed 0-400 ms by a busy event loop) is never refused', async (t) => {
  const limiter = tolerant(1)
  const random = seeded(7)
  let refused = 0
  for (let i = 0; i < 20_000; i++) {
    const sent = i * (1000 / 0.95)
    if (limiter.take('alice', sent + random() * 400) > 0) refused++
  }
  t.equal(refused, 0)
})

t.test('with the tolerance, two messages back to back are still refused', async (t) => {
  const limiter = tolerant(1)
  t.equal(limiter.take('a', 10_000), 0)
  t.ok(limiter.take('a', 10_000) > 0, 'same instant refused')
  t.ok(limiter.take('a', 10_100) > 0, '100 ms later refused')
  t.equal(limiter.take('a', 10_400), 100, 'refused with the time until it would conform')
  t.equal(limiter.take('a', 10_500), 0, 'half an interval early is on time')
})

t.test('the long-run rate never exceeds the limit, whatever the sender does', async (t) => {
  for (const rate of [0.5, 1, 4]) {
    const limiter = tolerant(rate)
    const random = seeded(rate * 100)
    let accepted = 0
    let now = 0
    const spanMs = 10_000_000 // about 2.8 hours of fake time
    while (now < spanMs) {
      if (limiter.take('mallory', now) === 0) accepted++
      now += random() * 50 // tries every 0-50 ms, i.e. far above the limit
    }
    const allowed = (spanMs * rate) / 1000
    t.ok(accepted <= allowed + Math.max(1, Math.floor(rate)) + 1, `rate ${rate}: ${accepted} accepted of at most ${allowed} + burst`)
    t.ok(accepted >= allowed * 0.99, 'and it does get the full rate')
  }
})

t.test('a single GCRA cell behaves like one key of the limiter', async (t) => {
  const cell = createGcra(1, { burst: 3 })
  t.equal(cell.take(0), 0)
  t.equal(cell.take(0), 0)
  t.equal(cell.take(0), 0)
  t.equal(cell.wait(0), 1000)
  t.equal(cell.take(0), 1000)
  t.equal(cell.take(1000), 0)
  t.throws(() => createGcra(1, { burst: 0 }))
  t.throws(() => createGcra(1, { toleranceMs: -1 }))
})
