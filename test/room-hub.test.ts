import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import t, { type Test } from 'tap'
import { openFileHistoryStore } from '../lib/file-history-store.js'
import { createRoomHub, type RoomClient, type RoomHubOptions } from '../lib/room-hub.js'

function fakeClient(user: string) {
  const client = {
    user,
    received: [] as string[],
    buffers: [] as Buffer[],
    send(data: Buffer) {
      this.buffers.push(data)
      this.received.push(String(data))
    },
    /** Parsed frames received so far (and forgets them). */
    take(type?: string): any[] {
      const frames = this.received.map((d) => JSON.parse(d))
      this.received = []
      return type ? frames.filter((f) => f.type === type) : frames
    }
  }
  return client satisfies RoomClient
}

async function setup(t: Test, opts: Partial<RoomHubOptions> & { dir?: string; limit?: number } = {}) {
  const dir = opts.dir ?? t.testdir()
  const store = await openFileHistoryStore(dir, { limit: opts.limit ?? 100 })
  const clock = { now: 1_000_000 }
  const hub = createRoomHub({ store, maxUsers: 5, maxRooms: 4, ttlMs: 60_000, clock: () => clock.now, ...opts })
  t.teardown(async () => {
    await hub.drain()
    await store.close()
  })
  return { hub, store, clock, dir }
}

t.test('the lobby always exists; a user in two tabs counts once towards the cap', async (t) => {
  const { hub } = await setup(t)
  t.same(hub.rooms(), [{ name: 'lobby', online: 0, cap: 5 }])
  const alice = fakeClient('alice')
  t.equal(hub.create(alice, 'dev', 2), undefined)
  const alice2 = fakeClient('alice')
  const bob = fakeClient('bob')
  const carol = fakeClient('carol')
  t.equal(hub.join(alice2, 'dev'), undefined)
  t.equal(hub.join(bob, 'dev'), undefined)
  t.equal(hub.join(carol, 'dev'), 'room_full')
  t.same(carol.take(), [], 'a refused join sends nothing and changes nothing')
  t.match(hub.rooms(), [{ name: 'dev', online: 2, cap: 2 }, { name: 'lobby' }])
  t.same(alice.take('joined')[0].members, ['alice'])
  t.same(bob.take('joined')[0].members, ['alice', 'bob'])
  hub.leave(bob, 'dev')
  t.equal(hub.join(carol, 'dev'), undefined, 'a seat freed by a leave can be taken')
})

t.test('many joins for the last seat: exactly one gets in', async (t) => {
  const { hub } = await setup(t)
  const owner = fakeClient('owner')
  hub.create(owner, 'dev', 2)
  const results = Array.from({ length: 20 }, (_, i) => hub.join(fakeClient(`u${i}`), 'dev'))
  t.equal(results.filter((r) => r === undefined).length, 1)
  t.equal(results.filter((r) => r === 'room_full').length, 19)
})

t.test('presence: on the first tab joining and the last tab leaving or disconnecting, to the others only', async (t) => {
  const { hub } = await setup(t)
  const bob = fakeClient('bob')
  const alice1 = fakeClient('alice')
  const alice2 = fakeClient('alice')
  hub.join(bob, 'lobby')
  hub.join(alice1, 'lobby')
  t.same(bob.take('presence'), [{ type: 'presence', room: 'lobby', user: 'alice', event: 'join', online: 2 }])
  t.same(alice1.take('presence'), [])
  hub.join(alice2, 'lobby')
  t.same(bob.take('presence'), [], 'a second tab is no news')
  hub.leave(alice1, 'lobby')
  t.same(bob.take('presence'), [], 'one tab is still there')
  t.same(alice1.take(), [{ type: 'left', room: 'lobby' }])
  hub.disconnect(alice2)
  t.same(bob.take('presence'), [{ type: 'presence', room: 'lobby', user: 'alice', event: 'leave', online: 1 }])
  t.equal(hub.leave(alice2, 'lobby'), 'not_in_room')
})

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

t.test('join with since replays exactly the missed messages, then live ones, with no gap or duplicate', async (t) => {
  const { hub } = await setup(t)
  const writer = fakeClient('writer')
  hub.join(writer, 'lobby')
  for (let i = 1; i <= 5; i++) hub.post(writer, 'lobby', `m${i}`)
  await hub.drain()
  const reader = fakeClient('reader')
  hub.join(reader, 'lobby', 2)
  hub.post(writer, 'lobby', 'm6')
  await hub.drain()
  const frames = reader.take()
  t.match(frames[0], { type: 'joined', room: 'lobby', lastSeq: 5, messages: [] })
  t.same(
    frames.slice(1).map((f) => f.seq),
    [3, 4, 5, 6]
  )
})

t.test('joining a room the socket is in replays only what it did not get live', async (t) => {
  const { hub } = await setup(t)
  const writer = fakeClient('writer')
  const reader = fakeClient('reader')
  hub.join(writer, 'lobby')
  for (let i = 1; i <= 3; i++) hub.post(writer, 'lobby', `m${i}`)
  await hub.drain()
  hub.join(reader, 'lobby') // the auto-join on connect: recent history 1..3
  hub.post(writer, 'lobby', 'm4')
  await hub.drain()
  t.same(
    reader.take().map((f) => f.seq ?? f.messages.map((m: any) => m.seq)),
    [[1, 2, 3], 4]
  )
  hub.join(reader, 'lobby', 1) // the resume: the client had seen up to 1
  const frames = reader.take()
  t.match(frames[0], { type: 'joined', lastSeq: 3, messages: [] })
  t.same(
    frames.slice(1).map((f) => f.seq),
    [2, 3],
    'not 4: that one came live'
  )
})

t.test('a resume point older than the history: reset with the recent history', async (t) => {
  const { hub } = await setup(t, { limit: 3 })
  const writer = fakeClient('writer')
  hub.join(writer, 'lobby')
  for (let i = 1; i <= 6; i++) hub.post(writer, 'lobby', `m${i}`)
  await hub.drain()
  const reader = fakeClient('reader')
  hub.join(reader, 'lobby', 1)
  const [joined, ...rest] = reader.take()
  t.match(joined, { type: 'joined', reset: true, lastSeq: 6 })
  t.same(
    joined.messages.map((m: any) => m.seq),
    [4, 5, 6]
  )
  t.same(rest, [])
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

t.test('create: names taken, MAX_ROOMS and caps outside 2..ROOM_MAX_USERS are refused', async (t) => {
  const { hub } = await setup(t)
  const alice = fakeClient('alice')
  t.equal(hub.create(alice, 'lobby'), 'room_exists')
  t.equal(hub.create(alice, 'a', 1), 'invalid')
  t.equal(hub.create(alice, 'a', 6), 'invalid')
  t.equal(hub.create(alice, 'a'), undefined)
  t.match(alice.take('joined'), [{ room: 'a', cap: 5, members: ['alice'] }])
  t.equal(hub.create(alice, 'b', 2), undefined)
  t.equal(hub.create(alice, 'c', 2), undefined)
  t.equal(hub.create(alice, 'd', 2), 'too_many_rooms')
  t.equal(hub.join(alice, 'zzz'), 'no_such_room')
})

t.test('history pages back for members only', async (t) => {
  const { hub } = await setup(t)
  const alice = fakeClient('alice')
  hub.join(alice, 'lobby')
  for (let i = 1; i <= 8; i++) hub.post(alice, 'lobby', `m${i}`)
  await hub.drain()
  alice.take()
  hub.history(alice, 'lobby', 6, 3)
  const [page] = alice.take()
  t.match(page, { type: 'history', room: 'lobby', more: true })
  t.same(
    page.messages.map((m: any) => m.seq),
    [3, 4, 5]
  )
  t.equal(hub.history(fakeClient('bob'), 'lobby', 6, 3), 'not_in_room')
})

t.test('rooms unused for the TTL vanish with their history; the lobby and occupied rooms stay', async (t) => {
  const { hub, clock, store } = await setup(t)
  const alice = fakeClient('alice')
  hub.create(alice, 'busy')
  hub.create(alice, 'quiet')
  hub.post(alice, 'quiet', 'hi')
  await hub.drain()
  hub.leave(alice, 'quiet')
  clock.now += 59_999
  t.same(hub.sweep(), [])
  clock.now += 1
  t.same(hub.sweep(), ['quiet'])
  await hub.drain()
  t.same(
    hub.rooms().map((r) => r.name),
    ['busy', 'lobby']
  )
  t.equal(store.lastSeq('quiet'), 0)
  t.equal(hub.join(alice, 'quiet'), 'no_such_room')
})

t.test('seq continues after a restart and never goes back', async (t) => {
  const dir = t.testdir()
  {
    const { hub } = await setup(t, { dir, limit: 2 })
    const alice = fakeClient('alice')
    hub.create(alice, 'dev', 3)
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
  const lost: [string, number][] = []
  const { hub } = await setup(t, { dir, onLost: (room, n) => lost.push([room, n]) })
  const alice = fakeClient('alice')
  const bob = fakeClient('bob')
  hub.join(bob, 'lobby')
  await hub.drain()
  await mkdir(path.join(dir, 'dev.log'))
  hub.create(alice, 'dev')
  hub.join(bob, 'dev')
  bob.take()
  alice.take()
  hub.post(alice, 'dev', 'lost', 'c-9')
  await hub.drain()
  t.same(bob.take(), [])
  t.match(alice.take(), [{ type: 'error', code: 'not_stored' }])
  t.same(lost, [['dev', 1]])
})

t.test('a held join (the automatic lobby join) keeps live messages until release, so a resume stays in order', async (t) => {
  const { hub } = await setup(t)
  const writer = fakeClient('writer')
  hub.join(writer, 'lobby')
  for (let i = 1; i <= 3; i++) hub.post(writer, 'lobby', `m${i}`)
  await hub.drain()
  const reader = fakeClient('reader')
  hub.join(reader, 'lobby', undefined, true) // connect: auto-join, recent history 1..3
  hub.post(writer, 'lobby', 'm4') // arrives before the client's resume frame
  await hub.drain()
  t.same(reader.take('message'), [], 'held')
  hub.join(reader, 'lobby', 1) // the client's first frame: resume from 1
  const frames = reader.take()
  t.match(frames[0], { type: 'joined', messages: [] })
  t.same(
    frames.slice(1).map((f) => f.seq),
    [2, 3, 4],
    'the replay, then what was held: in order, once each'
  )
  hub.post(writer, 'lobby', 'm5')
  await hub.drain()
  t.match(reader.take(), [{ seq: 5 }], 'live after that')
  const idle = fakeClient('idle')
  hub.join(idle, 'lobby', undefined, true)
  hub.post(writer, 'lobby', 'm6')
  await hub.drain()
  idle.take()
  hub.release(idle) // the client sent something else first, or the hold timed out
  t.match(idle.take(), [{ seq: 6 }])
})
