// Room hub: large rooms (MEMBER_LIST_MAX): counts instead of names, names in pages, listed again at half.
import t from 'tap'
import { fakeClient, presenceOf, large } from '../helpers/room-hub.js'

t.test('large rooms: past MEMBER_LIST_MAX the members get one `online` switch, then no presence, and `joined` lists no one', async (t) => {
  const { hub, clock, timer } = await large(t)
  const alice = fakeClient('alice')
  const bob = fakeClient('bob')
  hub.join(alice, 'lobby')
  clock.now += 250
  hub.join(bob, 'lobby')
  t.same(presenceOf(alice), ['bob join 2'], 'listed: presence as before')
  t.match(bob.take('joined')[0], { members: ['alice', 'bob'], online: 2 })
  t.notOk('large' in (alice.take('joined')[0] ?? {}), 'a listed room says nothing of largeness')
  clock.now += 10
  const carol = fakeClient('carol')
  hub.join(carol, 'lobby')
  t.same(alice.take(), [], 'the switch waits for the flush, like presence')
  const joined = carol.take('joined')[0]
  t.same([joined.members, joined.online, joined.large], [[], 3, true], 'a large room: a count, no names')
  timer.fire()
  for (const c of [alice, bob, carol]) t.same(c.take(), [{ type: 'online', room: 'lobby', online: 3, large: true }])
  hub.join(fakeClient('dave'), 'lobby')
  hub.disconnect(bob)
  hub.join(fakeClient('erin'), 'lobby')
  t.same(alice.take(), [], 'no presence in a large room; the count waits for ONLINE_COUNT_MS')
  t.equal(timer.pending.size, 1, 'one timer for the room, not one per join')
  clock.now += 1000
  timer.fire()
  t.same(alice.take(), [{ type: 'online', room: 'lobby', online: 4, large: true }])
  const frank = fakeClient('frank')
  hub.join(frank, 'lobby')
  hub.disconnect(frank)
  clock.now += 1000
  timer.fire()
  t.same(alice.take(), [], 'a count that came back to what was told is not sent again')
})

t.test('large rooms: `members` answers pages of 200 sorted names; a listed room answers its whole list', async (t) => {
  const { hub } = await large(t, 10)
  const me = fakeClient('me')
  hub.create(me, 'small')
  await hub.drain()
  hub.join(fakeClient('zed'), 'small')
  me.take()
  t.equal(hub.members(me, 'small', 5), undefined)
  t.same(me.take(), [{ type: 'members', room: 'small', online: 2, large: false, offset: 0, users: ['me', 'zed'], more: false }])
  const names = Array.from({ length: 450 }, (_, i) => `u${String(i).padStart(3, '0')}`)
  for (const name of [...names].reverse()) hub.join(fakeClient(name), 'lobby')
  hub.join(me, 'lobby')
  me.take()
  const sorted = [...names, 'me'].sort()
  hub.members(me, 'lobby', 0)
  const first = me.take('members')[0]
  t.same([first.large, first.online, first.offset, first.more], [true, 451, 0, true])
  t.same(first.users, sorted.slice(0, 200))
  hub.members(me, 'lobby', 400)
  const last = me.take('members')[0]
  t.same([last.users, last.more], [sorted.slice(400), false])
  hub.members(me, 'lobby', 9999)
  t.same(me.take('members')[0].users, [], 'past the end: an empty page')
  t.equal(hub.members(fakeClient('stranger'), 'lobby', 0), 'not_in_room')
  t.equal(hub.members(me, 'nowhere', 0), 'not_in_room')
  const joinedLate = fakeClient('a-first')
  hub.join(joinedLate, 'lobby')
  hub.members(me, 'lobby', 0)
  t.equal(me.take('members')[0].users[0], 'a-first', 'a change is seen by the next page (the sorted copy was dropped)')
})

t.test('large rooms: at half of MEMBER_LIST_MAX the room is listed again: everyone gets the whole list, presence resumes', async (t) => {
  const { hub, clock, timer } = await large(t, 4)
  const people = ['alice', 'bob', 'carol', 'dave', 'erin'].map(fakeClient)
  for (const p of people) hub.join(p, 'lobby')
  timer.fire()
  const [alice, bob, carol, dave, erin] = people
  t.same(alice!.take('online'), [{ type: 'online', room: 'lobby', online: 5, large: true }])
  hub.disconnect(erin!)
  hub.disconnect(dave!)
  clock.now += 1000
  timer.fire()
  t.same(alice!.take(), [{ type: 'online', room: 'lobby', online: 3, large: true }], 'at 3 of 4 still large: the gap stops flapping')
  hub.disconnect(carol!)
  clock.now += 250
  timer.fire()
  t.same(alice!.take(), [{ type: 'members', room: 'lobby', online: 2, large: false, offset: 0, users: ['alice', 'bob'], more: false }])
  t.same(bob!.take('members').length, 1)
  clock.now += 250
  hub.join(fakeClient('fred'), 'lobby')
  t.same(presenceOf(alice!), ['fred join 3'], 'listed again: presence, at once in a quiet room')
  const gina = fakeClient('gina')
  hub.join(gina, 'lobby')
  t.match(gina.take('joined')[0], { members: ['alice', 'bob', 'fred', 'gina'], online: 4 })
})

t.test('large rooms: a join costs the other members nothing at once, and close leaves no timer behind', async (t) => {
  const { hub, timer } = await large(t, 0)
  const watchers = Array.from({ length: 50 }, (_, i) => fakeClient(`w${i}`))
  for (const w of watchers) hub.join(w, 'lobby')
  timer.fire()
  for (const w of watchers) w.take()
  hub.join(fakeClient('newcomer'), 'lobby')
  t.equal(watchers.reduce((n, w) => n + w.received.length, 0), 0, 'nothing sent to 50 members for one join')
  hub.close()
  t.equal(timer.pending.size, 0)
  hub.join(fakeClient('late'), 'lobby')
  t.equal(timer.pending.size, 0, 'after close counts go at once, no timer')
  t.same(watchers[0]!.take('online').map((f) => f.online), [52])
})

t.test('large rooms: the join that makes a quiet room large is not announced by name; the switch goes at once', async (t) => {
  const { hub, clock, timer } = await large(t)
  const alice = fakeClient('alice')
  hub.join(alice, 'lobby')
  hub.join(fakeClient('bob'), 'lobby')
  timer.fire()
  alice.take()
  clock.now += 250
  hub.join(fakeClient('carol'), 'lobby')
  t.same(alice.take(), [{ type: 'online', room: 'lobby', online: 3, large: true }])
})
