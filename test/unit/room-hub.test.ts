import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import t, { type Test } from 'tap'
import { createBoundedOutput, createWriteBatch } from '../../lib/chat/gateway/bounded-output.js'
import { openFileHistoryStore } from '../../lib/chat/history/file-history-store.js'
import { createRoomHub, type PresenceTimer, type RoomClient, type RoomHubOptions } from '../../lib/chat/rooms/room-hub.js'

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
  await hub.drain()
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
  await hub.drain()
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
  await hub.drain()
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
  await hub.drain()
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

t.test('a new room answers joined only once it is durable, so a crash after joined cannot lose it', async (t) => {
  const dir = t.testdir()
  const { hub } = await setup(t, { dir })
  const alice = fakeClient('alice')
  const bob = fakeClient('bob')
  t.equal(hub.create(alice, 'dev', 3), undefined)
  t.equal(hub.create(bob, 'dev'), 'room_exists', 'the name is taken at once')
  t.equal(hub.join(bob, 'dev'), undefined, 'a join meanwhile waits with the creator')
  t.same(alice.take(), [], 'no joined before the write')
  t.same(bob.take(), [])
  t.same(hub.rooms().map((r) => r.name), ['lobby'], 'not listed before it is durable')
  await hub.drain()
  t.match(alice.take(), [{ type: 'joined', room: 'dev', cap: 3, members: ['alice'] }])
  t.match(bob.take('joined'), [{ room: 'dev', members: ['alice', 'bob'] }])
  // What a restart after a kill -9 would read now.
  const reread = await openFileHistoryStore(dir, { limit: 100 })
  t.match(reread.rooms, [{ name: 'dev', cap: 3 }, { name: 'lobby' }].sort((a, b) => (a.name < b.name ? -1 : 1)) as any)
  await reread.close()
})

t.test('a new room that could not be stored: every socket waiting for it gets not_stored with the room, and the room is gone', async (t) => {
  const dir = t.testdir()
  const { hub } = await setup(t, { dir })
  await hub.drain()
  const alice = fakeClient('alice')
  const bob = fakeClient('bob')
  const carol = fakeClient('carol')
  await mkdir(path.join(dir, 'dev.log'))
  hub.create(alice, 'dev')
  hub.join(bob, 'dev')
  hub.join(carol, 'dev')
  hub.disconnect(carol)
  await hub.drain()
  for (const client of [alice, bob]) t.same(client.take(), [{ type: 'error', code: 'not_stored', room: 'dev', message: 'The room could not be stored; create it again.' }])
  t.same(carol.take(), [], 'a socket gone meanwhile gets nothing')
  t.same(hub.rooms().map((r) => r.name), ['lobby'])
  t.equal(hub.join(bob, 'dev'), 'no_such_room')
  t.equal(hub.post(alice, 'dev', 'x'), 'not_in_room')
})

t.test('joins that waited for a new room past its cap are refused with room_full once it is durable', async (t) => {
  const { hub } = await setup(t)
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(fakeClient)
  hub.create(alice!, 'dev', 2)
  hub.join(bob!, 'dev')
  hub.join(carol!, 'dev')
  await hub.drain()
  t.match(bob!.take('joined'), [{ room: 'dev', members: ['alice', 'bob'] }])
  t.same(carol!.take(), [{ type: 'error', code: 'room_full', room: 'dev', message: 'That room is full.' }])
  t.match(hub.rooms(), [{ name: 'dev', online: 2, cap: 2 }, { name: 'lobby' }])
})

t.test('the creator gone before its room is durable: the room stays (empty), others waiting still join', async (t) => {
  const { hub } = await setup(t)
  const alice = fakeClient('alice')
  const bob = fakeClient('bob')
  hub.create(alice, 'dev')
  hub.join(bob, 'dev')
  hub.disconnect(alice)
  await hub.drain()
  t.same(alice.take(), [])
  t.match(bob.take('joined'), [{ room: 'dev', members: ['bob'] }])
  t.match(hub.rooms(), [{ name: 'dev', online: 1 }, { name: 'lobby' }])
})

t.test('a resume as the first join (no room joined on connect) replays in order, once each, then live', async (t) => {
  const { hub } = await setup(t)
  const writer = fakeClient('writer')
  hub.join(writer, 'lobby')
  for (let i = 1; i <= 4; i++) hub.post(writer, 'lobby', `m${i}`)
  await hub.drain()
  const reader = fakeClient('reader')
  hub.join(reader, 'lobby', 1) // the client's first frame: resume from 1
  const frames = reader.take()
  t.match(frames[0], { type: 'joined', messages: [] })
  t.same(
    frames.slice(1).map((f) => f.seq),
    [2, 3, 4],
    'the replay: in order, once each'
  )
  hub.post(writer, 'lobby', 'm5')
  await hub.drain()
  t.match(reader.take(), [{ seq: 5 }], 'live after that')
})

/** Presence timers that fire only when the test says so. */
function fakeTimer() {
  const pending = new Map<number, { flush: () => void; ms: number }>()
  let id = 0
  const timer: PresenceTimer & { pending: typeof pending; fire(): void } = {
    pending,
    set(flush, ms) {
      pending.set(++id, { flush, ms })
      return id
    },
    clear(handle) {
      pending.delete(handle as number)
    },
    fire() {
      const due = [...pending.values()]
      pending.clear()
      for (const { flush } of due) flush()
    }
  }
  return timer
}

const presenceOf = (c: ReturnType<typeof fakeClient>) => c.take('presence').map((f) => `${f.user} ${f.event} ${f.online}`)

async function batched(t: Test) {
  const timer = fakeTimer()
  const ctx = await setup(t, { presenceFlushMs: 250, presenceTimer: timer, maxUsers: 10 })
  return { ...ctx, timer }
}

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

// Large rooms (MEMBER_LIST_MAX): counts instead of names, names in pages, listed again at half.
async function large(t: Test, memberListMax = 2) {
  const timer = fakeTimer()
  const ctx = await setup(t, { presenceFlushMs: 250, onlineCountMs: 1000, memberListMax, presenceTimer: timer, maxUsers: 1000 })
  return { ...ctx, timer }
}

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
