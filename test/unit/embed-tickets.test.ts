import t from 'tap'
import { createTicketStore } from '../../lib/embed/embed-tickets.js'

const TTL = 30_000

t.test('a ticket stands for its session once; a second redeem gets nothing', async (t) => {
  const store = createTicketStore(TTL, () => 0)
  const ticket = await store.issue('session-token')
  t.match(ticket, /^[A-Za-z0-9_-]{32}$/)
  t.equal(await store.redeem(ticket), 'session-token')
  t.equal(await store.redeem(ticket), undefined, 'single use')
})

t.test('a ticket redeemed at or after its TTL -> nothing (and prune forgets it)', async (t) => {
  let now = 1_000
  const store = createTicketStore(TTL, () => now)
  const late = await store.issue('a')
  const justInTime = await store.issue('b')
  now += TTL - 1
  t.equal(await store.redeem(justInTime), 'b', 'one ms before the TTL it still works')
  now += 1
  t.equal(await store.redeem(late), undefined, 'at the TTL it is refused')
  const pruned = await store.issue('c')
  now += TTL
  store.prune()
  now -= TTL // even back in time, a pruned ticket is gone
  t.equal(await store.redeem(pruned), undefined)
})

t.test('unknown, malformed and non-string tickets -> nothing', async (t) => {
  const store = createTicketStore(TTL)
  for (const bad of ['x'.repeat(32), 'short', 'a'.repeat(33), '../../etc', 42, null, undefined, { toString: () => 'x' }]) {
    t.equal(await store.redeem(bad), undefined, JSON.stringify(bad) ?? String(bad))
  }
})

t.test('a session holds at most perSession live tickets: a further one revokes its oldest; other sessions keep theirs', async (t) => {
  const store = createTicketStore(TTL, () => 0, { perSession: 3, max: 100 })
  const mine: string[] = []
  for (let i = 0; i < 4; i++) mine.push((await store.issue('mine'))!)
  const theirs = (await store.issue('theirs'))!
  t.equal(store.size, 4, 'three of mine and one of theirs')
  t.equal(await store.redeem(mine[0]), undefined, 'the oldest was revoked')
  t.same(await Promise.all(mine.slice(1).map((x) => store.redeem(x))), ['mine', 'mine', 'mine'], 'the three newest work')
  t.equal(await store.redeem(theirs), 'theirs')
  t.equal(store.size, 0)
  // A redeemed ticket frees its place: three more fit without revoking any.
  const again: string[] = []
  for (let i = 0; i < 3; i++) again.push((await store.issue('mine'))!)
  t.equal(await store.redeem(again[0]), 'mine')
})

t.test('at most max live tickets in total: then issue gives nothing until one is redeemed or expires; a session replacing its own still may', async (t) => {
  let now = 0
  const store = createTicketStore(TTL, () => now, { perSession: 2, max: 3 })
  const a = (await store.issue('a'))!
  now += 10
  await store.issue('b')
  const b2 = (await store.issue('b'))!
  t.equal(await store.isFull(), true)
  t.equal(await store.issue('c'), undefined, 'a fourth live ticket is refused')
  t.equal(store.size, 3, 'and not stored')
  t.ok(await store.issue('b'), "b's oldest makes room for b's new one")
  t.equal(await store.redeem(b2), 'b')
  t.ok(await store.issue('c'), 'a redeemed ticket frees a place')
  t.equal(await store.issue('d'), undefined)
  now = TTL // a's ticket has expired: forgotten when the store is full
  t.ok(await store.issue('d'), 'an expired ticket frees a place')
  t.equal(await store.redeem(a), undefined)
})
