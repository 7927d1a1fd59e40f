// Room hub: the message pipeline: seq order, cid de-duplication, group commit, delivery once durable, typing.
import t from 'tap'
import { openFileHistoryStore } from '../../lib/chat/history/file-history-store.js'
import { createRoomHub } from '../../lib/chat/rooms/room-hub.js'
import { fakeClient, setup } from '../helpers/room-hub.js'

t.test('a message is broadcast only once durable, as one encoded string, in seq order, with its cid', async (t) => {
  const { hub, store } = await setup(t)
  const alice = fakeClient('alice')
  const bob = fakeClient('bob')
  hub.join(alice, 'lobby')
  hub.join(bob, 'lobby')
  alice.take()
  bob.take()
  hub.post(alice, 'lobby', 'one', 'c-1')
  hub.post(bob, 'lobby', 'two')
  t.same(alice.received, [], 'nothing before the commit')
  t.equal(store.lastSeq('lobby'), 0)
  await hub.drain()
  t.equal(store.lastSeq('lobby'), 2, 'durable before it is seen')
  t.same(alice.received, bob.received)
  t.equal(alice.buffers.at(-1), bob.buffers.at(-1), 'one encoded buffer for every recipient, not a copy each')
  const [one, two] = alice.take()
  t.match(one, { type: 'message', room: 'lobby', seq: 1, user: 'alice', text: 'one', cid: 'c-1' })
  t.match(two, { type: 'message', room: 'lobby', seq: 2, user: 'bob', text: 'two' })
  t.notOk('cid' in two)
  t.ok(two.id > one.id)
  t.equal(hub.post(fakeClient('carol'), 'lobby', 'x'), 'not_in_room')
})

t.test('a repeated cid is neither stored nor broadcast, also after a restart', async (t) => {
  const dir = t.testdir()
  {
    const { hub } = await setup(t, { dir })
    const alice = fakeClient('alice')
    hub.join(alice, 'lobby')
    hub.post(alice, 'lobby', 'hello', 'c-1')
    hub.post(alice, 'lobby', 'hello', 'c-1')
    await hub.drain()
    t.equal(alice.take('message').length, 1)
    t.equal(hub.post(fakeClient('bob'), 'lobby', 'x', 'c-1'), 'not_in_room')
  }
  const store = await openFileHistoryStore(dir, { limit: 100 })
  const hub = createRoomHub({ store, maxUsers: 5, maxRooms: 4, ttlMs: 60_000 })
  const alice = fakeClient('alice')
  const bob = fakeClient('bob')
  hub.join(alice, 'lobby')
  hub.join(bob, 'lobby')
  alice.take()
  hub.post(alice, 'lobby', 'hello', 'c-1')
  hub.post(bob, 'lobby', 'hello', 'c-1')
  await hub.drain()
  t.match(alice.take('message'), [{ user: 'bob', seq: 2 }], 'only the other user’s message with the same cid')
  await store.close()
})

t.test('typing: passed on to the others at most once per 2 s per user and room', async (t) => {
  const { hub, clock } = await setup(t)
  const alice = fakeClient('alice')
  const alice2 = fakeClient('alice')
  const bob = fakeClient('bob')
  for (const c of [alice, alice2, bob]) hub.join(c, 'lobby')
  for (const c of [alice, alice2, bob]) c.take()
  hub.typing(alice, 'lobby')
  hub.typing(alice2, 'lobby')
  clock.now += 1999
  hub.typing(alice, 'lobby')
  t.same(bob.take(), [{ type: 'typing', room: 'lobby', user: 'alice' }])
  t.same(alice2.take(), [], 'not to the typist’s own tabs')
  clock.now += 1
  hub.typing(alice, 'lobby')
  t.equal(bob.take().length, 1)
  t.equal(hub.typing(fakeClient('x'), 'lobby'), 'not_in_room')
})

t.test('seq continues after a restart and never goes back', async (t) => {
  const dir = t.testdir()
  {
    const { hub } = await setup(t, { dir, limit: 2 })
    const alice = fakeClient('alice')
    hub.create(alice, 'dev', 3)
    await hub.drain()
    for (let i = 1; i <= 5; i++) hub.post(alice, 'dev', `m${i}`)
    await hub.drain()
  }
  const store = await openFileHistoryStore(dir, { limit: 2 })
  const hub = createRoomHub({ store, maxUsers: 5, maxRooms: 4, ttlMs: 60_000 })
  const alice = fakeClient('alice')
  t.match(hub.rooms(), [{ name: 'dev', cap: 3 }, { name: 'lobby' }])
  hub.join(alice, 'dev')
  hub.post(alice, 'dev', 'after')
  await hub.drain()
  t.match(alice.take('message'), [{ seq: 6, text: 'after' }])
  await store.close()
})

t.test('a message that could not be made durable is never broadcast; its sender is told', async (t) => {
  const dir = t.testdir()
  const store = await openFileHistoryStore(dir, { limit: 100 })
  // The disk fails for dev's next write (as the store reports a failed write: its records dropped).
  let failDev = false
  const failing = Object.create(store, {
    sync: { value: async () => (failDev ? ((failDev = false), store.sync().then(() => ['dev'])) : store.sync()) }
  })
  const lost: [string, number][] = []
  const hub = createRoomHub({ store: failing, maxUsers: 5, maxRooms: 4, ttlMs: 60_000, onLost: (room, n) => lost.push([room, n]) })
  t.teardown(async () => {
    await hub.drain()
    await store.close()
  })
  const alice = fakeClient('alice')
  const bob = fakeClient('bob')
  hub.create(alice, 'dev')
  hub.join(bob, 'dev')
  await hub.drain()
  bob.take()
  alice.take()
  failDev = true
  hub.post(alice, 'dev', 'lost', 'c-9')
  await hub.drain()
  t.same(bob.take(), [])
  t.match(alice.take(), [{ type: 'error', code: 'not_stored' }])
  t.same(lost, [['dev', 1]])
})
