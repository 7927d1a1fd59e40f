import t from 'tap'
import { createTicketStore } from '../lib/embed-tickets.js'

const TTL = 30_000

t.test('a ticket stands for its session once; a second redeem gets nothing', async (t) => {
  const store = createTicketStore(TTL, () => 0)
  const ticket = store.issue('session-token')
  t.match(ticket, /^[A-Za-z0-9_-]{32}$/)
  t.equal(store.redeem(ticket), 'session-token')
  t.equal(store.redeem(ticket), undefined, 'single use')
})

t.test('a ticket redeemed at or after its TTL -> nothing (and prune forgets it)', async (t) => {
  let now = 1_000
  const store = createTicketStore(TTL, () => now)
  const late = store.issue('a')
  const justInTime = store.issue('b')
  now += TTL - 1
  t.equal(store.redeem(justInTime), 'b', 'one ms before the TTL it still works')
  now += 1
  t.equal(store.redeem(late), undefined, 'at the TTL it is refused')
  const pruned = store.issue('c')
  now += TTL
  store.prune()
  now -= TTL // even back in time, a pruned ticket is gone
  t.equal(store.redeem(pruned), undefined)
})

t.test('unknown, malformed and non-string tickets -> nothing', async (t) => {
  const store = createTicketStore(TTL)
  for (const bad of ['x'.repeat(32), 'short', 'a'.repeat(33), '../../etc', 42, null, undefined, { toString: () => 'x' }]) {
    t.equal(store.redeem(bad), undefined, JSON.stringify(bad) ?? String(bad))
  }
})
