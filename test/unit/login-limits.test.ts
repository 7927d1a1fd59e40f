import t from 'tap'
import { createFailureBucket, createGrowingDelay, createLoginGuard, type LoginGuardOptions } from '../../lib/accounts/login-limits.js'
import type { Admission } from '../../lib/accounts/ports.js'

const MIN = 60_000
const HOUR = 60 * MIN
const tick = () => new Promise((r) => setImmediate(r))

t.test('failure bucket: a burst of N, then one every window/N; success changes nothing', async (t) => {
  const b = createFailureBucket(3, MIN)
  t.equal(b.left('x', 0), 3)
  b.fail('x', 0)
  b.fail('x', 0)
  b.succeed('x', 0)
  t.equal(b.left('x', 0), 1)
  b.fail('x', 0)
  t.equal(b.left('x', 0), 0)
  t.equal(b.retryInMs('x', 0), 20_000)
  t.equal(b.left('x', 19_999), 0)
  t.equal(b.left('x', 20_000), 1)
  t.equal(b.left('y', 0), 3, 'keys are independent')
  b.prune(59_999)
  t.equal(b.size, 1)
  b.prune(60_000)
  t.equal(b.size, 0, 'full buckets are forgotten')
})

t.test('growing delay: free failures, then 1 s, 2 s, 4 s ... capped; success resets; forgotten after a while', async (t) => {
  const d = createGrowingDelay({ free: 2, baseMs: 1000, maxMs: 4000, forgetMs: HOUR })
  d.fail('p', 0)
  t.equal(d.left('p', 0), 1)
  d.fail('p', 0)
  t.equal(d.left('p', 0), 0)
  t.equal(d.retryInMs('p', 0), 1000)
  t.equal(d.left('p', 1000), 1)
  const delays: number[] = []
  let now = 1000
  for (let i = 0; i < 5; i++) {
    d.fail('p', now)
    delays.push(d.retryInMs('p', now))
    now += delays.at(-1)!
  }
  t.same(delays, [2000, 4000, 4000, 4000, 4000], 'doubles, then stays at the cap')
  d.succeed('p', now)
  t.equal(d.left('p', now), 2, 'a success starts afresh')
  d.fail('q', 0)
  d.fail('q', 0)
  d.fail('q', 0)
  t.equal(d.left('q', HOUR), 2, 'an hour without failures starts afresh')
  d.prune(HOUR)
  t.equal(d.size, 0)
})

function guard(overrides: Partial<LoginGuardOptions> = {}, clock = { now: 0 }) {
  return createLoginGuard({
    perAddress: createFailureBucket(10, MIN),
    perPair: createGrowingDelay({ free: 5, baseMs: 1000, maxMs: MIN, forgetMs: HOUR }),
    perAccount: createFailureBucket(100, HOUR),
    knownForMs: 30 * 24 * HOUR,
    maxKnown: 1000,
    maxWaitingPerKey: 64,
    clock: () => clock.now,
    ...overrides
  })
}
const admitted = (a: Admission) => (a.ok ? a : undefined)

t.test('concurrent correct logins beyond the failure budget are never refused', async (t) => {
  const g = guard({ perAddress: createFailureBucket(3, MIN) })
  // 50 attempts from one address at once, all with the right password.
  const outcomes = await Promise.all(
    Array.from({ length: 50 }, async () => {
      const a = await g.admit('alice', '10.0.0.1')
      if (!a.ok) return a.reason
      await tick()
      a.done('success')
      return 'ok'
    })
  )
  t.same(outcomes, Array(50).fill('ok'))
  t.equal(g.inFlight, 0)
})

t.test('concurrent wrong guesses cannot race past the budget: exactly `burst` are checked', async (t) => {
  const g = guard({ perAddress: createFailureBucket(3, MIN) })
  let checked = 0
  const outcomes = await Promise.all(
    Array.from({ length: 12 }, async (_, i) => {
      const a = await g.admit(`user${i}`, '10.0.0.1')
      if (!a.ok) return a.reason
      checked++
      await tick()
      a.done('failure')
      return 'checked'
    })
  )
  t.equal(checked, 3)
  t.equal(outcomes.filter((o) => o === 'address').length, 9)
})

t.test('a mix: right passwords get in while wrong ones use up the budget', async (t) => {
  const g = guard({ perAddress: createFailureBucket(2, MIN) })
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => {
      const right = i % 2 === 0
      const a = await g.admit(right ? 'alice' : 'mallory', '10.0.0.1')
      if (!a.ok) return `${right ? 'right' : 'wrong'}:${a.reason}`
      await tick()
      a.done(right ? 'success' : 'failure')
      return `${right ? 'right' : 'wrong'}:ok`
    })
  )
  t.equal(outcomes.filter((o) => o === 'wrong:ok').length, 2, 'two guesses checked')
  // Those that arrive after the budget is gone are refused too, right or wrong: the address is limited.
  t.ok(outcomes.filter((o) => o === 'right:ok').length >= 1)
})

t.test('per pair: growing delay on one account from one address; other addresses unaffected', async (t) => {
  const clock = { now: 0 }
  const g = guard({ perAddress: createFailureBucket(1000, MIN) }, clock)
  for (let i = 0; i < 5; i++) admitted(await g.admit('alice', '10.0.0.66'))!.done('failure')
  const refused = await g.admit('alice', '10.0.0.66')
  t.match(refused, { ok: false, reason: 'pair', retryInMs: 1000 })
  t.ok((await g.admit('bob', '10.0.0.66')).ok, 'other accounts from the same address')
  const owner = admitted(await g.admit('alice', '10.0.0.7'))
  t.ok(owner, 'the owner from elsewhere is not slowed down')
  owner!.done('success')
  clock.now = 1000
  admitted(await g.admit('alice', '10.0.0.66'))!.done('failure')
  t.match(await g.admit('alice', '10.0.0.66'), { ok: false, reason: 'pair', retryInMs: 2000 })
})

t.test('per account: 100 failures an hour over all addresses, then refused; the owner\'s known address still gets in', async (t) => {
  const clock = { now: 0 }
  const g = guard({}, clock)
  // The owner logged in from home once.
  admitted(await g.admit('alice', '192.0.2.1'))!.done('success')
  // 20 addresses x 5 guesses (each below its pair's free failures).
  for (let n = 0; n < 20; n++) {
    for (let i = 0; i < 5; i++) admitted(await g.admit('alice', `10.0.0.${n}`))!.done('failure')
  }
  const fresh = await g.admit('alice', '10.0.1.1')
  t.match(fresh, { ok: false, reason: 'account' })
  t.ok(!fresh.ok && fresh.retryInMs <= 36_000, 'one more attempt within 36 s (100/h)')
  const home = admitted(await g.admit('alice', '192.0.2.1'))
  t.ok(home, 'known address is exempt from the account ceiling')
  home!.done('success')
  clock.now = 36_000
  t.ok((await g.admit('alice', '10.0.1.1')).ok, 'the ceiling refills')
})

t.test('a void attempt (not checked) spends nothing', async (t) => {
  const g = guard({ perAddress: createFailureBucket(1, MIN) })
  for (let i = 0; i < 5; i++) admitted(await g.admit('alice', '10.0.0.1'))!.done('void')
  t.ok((await g.admit('alice', '10.0.0.1')).ok)
})

t.test('too many waiting on one key are told the server is busy', async (t) => {
  const g = guard({ perAddress: createFailureBucket(1, MIN), maxWaitingPerKey: 2 })
  const first = admitted(await g.admit('a', '10.0.0.1'))!
  const waiting = [g.admit('b', '10.0.0.1'), g.admit('c', '10.0.0.1')]
  t.match(await g.admit('d', '10.0.0.1'), { ok: false, reason: 'busy' })
  first.done('success')
  const [b] = await Promise.all([waiting[0]!.then((a) => (a.ok && a.done('success'), a.ok)), waiting[1]!.then((a) => (a.ok && a.done('success'), a.ok))])
  t.ok(b)
})

t.test('known pairs are bounded and expire; prune forgets', async (t) => {
  const clock = { now: 0 }
  const g = guard({ maxKnown: 2, knownForMs: 1000 }, clock)
  for (const address of ['1', '2', '3']) admitted(await g.admit('alice', address))!.done('success')
  clock.now = 999
  g.prune()
  clock.now = 1000
  g.prune()
  t.equal(g.inFlight, 0)
})
