// Room hub: presence batching (PRESENCE_FLUSH_MS) and its timers.
import t from 'tap'
import { createBoundedOutput, createWriteBatch } from '../../lib/chat/gateway/bounded-output.js'
import { fakeClient, setup, presenceOf, batched } from '../helpers/room-hub.js'

t.test('presence batching: the first event in a quiet room goes at once, the rest wait for one flush at the interval end', async (t) => {
  const { hub, clock, timer } = await batched(t)
  const bob = fakeClient('bob')
  hub.join(bob, 'lobby')
  clock.now += 250 // bob's own join was the room's last presence
  hub.join(fakeClient('alice'), 'lobby')
  t.same(presenceOf(bob), ['alice join 2'], 'leading edge: a single join in a quiet room is instant')
  t.equal(timer.pending.size, 0, 'no timer for an event sent at once')
  clock.now += 100
  hub.join(fakeClient('carol'), 'lobby')
  hub.join(fakeClient('dave'), 'lobby')
  hub.join(fakeClient('erin'), 'lobby')
  t.same(presenceOf(bob), [], 'within the interval: queued')
  t.same([...timer.pending.values()].map((p) => p.ms), [150], 'one timer per room, due when the interval ends')
  clock.now += 150
  timer.fire()
  t.same(presenceOf(bob), ['carol join 5', 'dave join 5', 'erin join 5'], 'all together, in order, each with the count at the flush')
  clock.now += 249
  hub.join(fakeClient('fred'), 'lobby')
  t.same(presenceOf(bob), [], 'a flush starts a new interval')
  t.equal(timer.pending.size, 1)
  clock.now += 1
  timer.fire()
  t.same(presenceOf(bob), ['fred join 6'])
  clock.now += 250
  hub.join(fakeClient('gina'), 'lobby')
  t.same(presenceOf(bob), ['gina join 7'], 'quiet for the interval again: at once')
})

t.test('presence batching: a flush reaches each socket in one write (the write batch coalesces it)', async (t) => {
  const { hub, clock, timer } = await batched(t)
  const writes: string[] = []
  const outlet = {
    bufferedAmount: 0,
    open: true,
    write: (data: Buffer) => writes.push(JSON.parse(String(data)).user),
    drop() {},
    cork: () => writes.push('cork'),
    uncork: () => writes.push('uncork')
  }
  const output = createBoundedOutput(outlet, 1 << 20, createWriteBatch())
  hub.join({ user: 'bob', send: (data) => void output.send(data) }, 'lobby')
  await new Promise<void>(queueMicrotask)
  writes.length = 0
  clock.now += 250
  hub.join(fakeClient('alice'), 'lobby')
  clock.now += 10
  for (const user of ['carol', 'dave', 'erin']) hub.join(fakeClient(user), 'lobby')
  await new Promise<void>(queueMicrotask)
  t.same(writes, ['cork', 'alice', 'uncork'])
  writes.length = 0
  timer.fire()
  await new Promise<void>(queueMicrotask)
  t.same(writes, ['cork', 'carol', 'dave', 'erin', 'uncork'], 'three frames, one write')
})

t.test('presence batching: a user who came and went (or went and came) within the interval is not announced', async (t) => {
  const { hub, clock, timer } = await batched(t)
  const bob = fakeClient('bob')
  const alice = fakeClient('alice')
  hub.join(bob, 'lobby')
  clock.now += 250
  hub.join(alice, 'lobby')
  presenceOf(bob)
  clock.now += 10
  const carol = fakeClient('carol')
  hub.join(carol, 'lobby')
  hub.disconnect(carol)
  hub.disconnect(alice)
  const alice2 = fakeClient('alice')
  hub.join(alice2, 'lobby')
  hub.join(fakeClient('dave'), 'lobby')
  timer.fire()
  t.same(presenceOf(bob), ['dave join 3'], 'carol in and out, alice out and in: nothing to tell')
  t.same(presenceOf(alice2), ['dave join 3'], 'her own presence never reaches her; what she joined after, she gets')
})

t.test('presence batching: a member joining mid-interval keeps the list its `joined` gave, then gets only later changes', async (t) => {
  const { hub, clock, timer } = await batched(t)
  const bob = fakeClient('bob')
  hub.join(bob, 'lobby')
  clock.now += 250 // bob's own join was the room's last presence
  hub.join(fakeClient('alice'), 'lobby')
  t.same(presenceOf(bob), ['alice join 2'])
  clock.now += 10
  const carol = fakeClient('carol')
  hub.join(carol, 'lobby')
  const dave = fakeClient('dave')
  hub.join(dave, 'lobby')
  t.same(dave.take('joined')[0].members, ['bob', 'alice', 'carol', 'dave'], 'members as of the join, queued events included')
  hub.disconnect(carol)
  const erin = fakeClient('erin')
  hub.join(erin, 'lobby')
  erin.take()
  timer.fire()
  t.same(presenceOf(bob), ['dave join 4', 'erin join 4'], 'carol came and went: nothing')
  t.same(presenceOf(dave), ['carol leave 4', 'erin join 4'], 'dave saw carol in his `joined`: he needs her leave')
  t.same(presenceOf(erin), [], 'erin joined after all of it')
})

t.test('presence batching: a member who left gets no queued event; a resumed join covers the events before it', async (t) => {
  const { hub, clock, timer } = await batched(t)
  const bob = fakeClient('bob')
  const alice = fakeClient('alice')
  hub.join(bob, 'lobby')
  clock.now += 250
  hub.join(alice, 'lobby')
  presenceOf(bob)
  clock.now += 10
  hub.join(fakeClient('carol'), 'lobby')
  hub.leave(bob, 'lobby')
  hub.join(alice, 'lobby', 0) // a resume: `joined` again, with the members now
  alice.take()
  timer.fire()
  t.same(presenceOf(bob), [], 'bob left before the flush')
  t.same(presenceOf(alice), [], 'her resumed `joined` already showed carol in and bob out')
})

t.test('presence timers: none at 0 ms, cleared when the room is swept and when the hub closes', async (t) => {
  const { hub, clock, timer } = await batched(t)
  const bob = fakeClient('bob')
  hub.create(bob, 'dev')
  await hub.drain()
  hub.join(fakeClient('alice'), 'dev')
  hub.join(fakeClient('carol'), 'dev')
  t.equal(timer.pending.size, 1)
  hub.disconnect(bob)
  t.equal(timer.pending.size, 1, 'still one timer per room')
  for (const c of ['alice', 'carol']) hub.leave(fakeClient(c), 'dev')
  clock.now += 60_000
  hub.sweep()
  t.equal(hub.rooms().some((r) => r.name === 'dev'), true, 'members still there: not swept')
  hub.close()
  t.equal(timer.pending.size, 0, 'close clears every timer')
  const dave = fakeClient('dave')
  hub.join(dave, 'lobby')
  hub.join(fakeClient('erin'), 'lobby')
  hub.join(fakeClient('fred'), 'lobby')
  t.same(presenceOf(dave), ['erin join 2', 'fred join 3'], 'after close presence goes at once')
  t.equal(timer.pending.size, 0)

  const other = await batched(t)
  const gina = fakeClient('gina')
  other.hub.create(gina, 'ops')
  await other.hub.drain()
  const hank = fakeClient('hank')
  other.hub.join(hank, 'ops')
  other.hub.disconnect(hank)
  other.hub.disconnect(gina)
  t.equal(other.timer.pending.size, 1, 'the empty room still has its flush due')
  other.clock.now += 60_000
  t.same(other.hub.sweep(), ['ops'])
  t.equal(other.timer.pending.size, 0, 'sweeping the room cleared its timer')

  const now = await setup(t, { presenceTimer: other.timer })
  const ivan = fakeClient('ivan')
  now.hub.join(ivan, 'lobby')
  now.hub.join(fakeClient('jo'), 'lobby')
  now.hub.join(fakeClient('kim'), 'lobby')
  t.same(presenceOf(ivan), ['jo join 2', 'kim join 3'], 'PRESENCE_FLUSH_MS=0: each at once, as before')
  t.equal(other.timer.pending.size, 0, 'and no timer')
})
