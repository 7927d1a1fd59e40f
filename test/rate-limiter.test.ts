import t from 'tap'
import { createRateLimiter } from '../lib/rate-limiter.js'

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
