// Rooms over real sockets: caps, presence, typing, limits, and the frames that name rooms.
import t from 'tap'
import { connect, logIn, signUp } from '../helpers/clients.js'
import { startServer } from '../helpers/server.js'
import { chatUser, openChat, FAST_FRAMES } from '../helpers/rooms.js'

const open = openChat
const user = chatUser

t.test('a client that never sends join is in the lobby and talks there, with seq', async (t) => {
  const server = await startServer(t, FAST_FRAMES)
  const alice = await connect(server, await signUp(server, 'alice'))
  t.teardown(() => alice.ws.close())
  t.match(await alice.next('welcome'), { room: 'lobby' })
  t.match(await alice.next('joined'), { type: 'joined', room: 'lobby', cap: 50, members: ['alice'], lastSeq: 0, messages: [] })
  alice.send({ type: 'message', text: 'hi' })
  t.match(await alice.next('message'), { room: 'lobby', seq: 1, user: 'alice', text: 'hi' })
})

t.test('create, list, join, message in a room, leave; errors name the room', async (t) => {
  // Presence at once: bob's join and leave within one PRESENCE_FLUSH_MS would cancel out.
  const server = await startServer(t, { ...FAST_FRAMES, messageRatePerSec: 100, presenceFlushMs: 0 })
  const { client: alice } = await user(t, server, 'alice')
  const { client: bob } = await user(t, server, 'bob')
  alice.send({ type: 'create', room: 'dev', cap: 3 })
  t.match(await alice.next('joined', (f) => f.room === 'dev'), { cap: 3, members: ['alice'] })
  alice.send({ type: 'create', room: 'dev' })
  t.match(await alice.next('error'), { code: 'room_exists', room: 'dev' })
  bob.send({ type: 'rooms' })
  t.same((await bob.next('rooms')).rooms, [
    { name: 'dev', online: 1, cap: 3 },
    { name: 'lobby', online: 2, cap: 50 }
  ])
  bob.send({ type: 'message', room: 'dev', text: 'let me in' })
  t.match(await bob.next('error'), { code: 'not_in_room', room: 'dev' })
  bob.send({ type: 'join', room: 'nope' })
  t.match(await bob.next('error'), { code: 'no_such_room', room: 'nope' })
  bob.send({ type: 'join', room: 'Bad_Name' })
  t.match(await bob.next('error'), { code: 'invalid' })
  bob.send({ type: 'join', room: 'dev' })
  t.match(await bob.next('joined', (f) => f.room === 'dev'), { members: ['alice', 'bob'] })
  bob.send({ type: 'message', room: 'dev', text: 'hello dev', cid: 'c-1' })
  t.match(await alice.next('message', (f) => f.room === 'dev'), { user: 'bob', text: 'hello dev', seq: 1, cid: 'c-1' })
  t.match(await bob.next('message', (f) => f.room === 'dev'), { cid: 'c-1' })
  bob.send({ type: 'leave', room: 'dev' })
  t.same(await bob.next('left'), { type: 'left', room: 'dev' })
  t.match(await alice.next('presence', (f) => f.event === 'leave'), { room: 'dev', user: 'bob', online: 1 })
  t.same(
    alice.frames.filter((f) => f.type === 'message' && f.room === 'lobby'),
    [],
    'nothing leaked into the lobby'
  )
})

t.test('room cap: the same user in two tabs counts once; a join beyond the cap is refused and changes nothing', async (t) => {
  const server = await startServer(t, FAST_FRAMES)
  const { client: alice, cookie: aliceCookie } = await user(t, server, 'alice')
  const alice2 = await open(t, server, aliceCookie)
  const { client: bob } = await user(t, server, 'bob')
  const { client: carol } = await user(t, server, 'carol')
  alice.send({ type: 'create', room: 'pair', cap: 2 })
  await alice.next('joined', (f) => f.room === 'pair')
  alice2.send({ type: 'join', room: 'pair' })
  t.match(await alice2.next('joined', (f) => f.room === 'pair'), { members: ['alice'] }, 'second tab: still one user')
  bob.send({ type: 'join', room: 'pair' })
  t.match(await bob.next('joined', (f) => f.room === 'pair'), { members: ['alice', 'bob'] })
  carol.send({ type: 'join', room: 'pair' })
  t.match(await carol.next('error'), { type: 'error', code: 'room_full', room: 'pair' })
  carol.send({ type: 'rooms' })
  t.match((await carol.next('rooms')).rooms, [{ name: 'lobby' }, { name: 'pair', online: 2, cap: 2 }])
  t.same(
    alice.frames.filter((f) => f.type === 'presence' && f.room === 'pair' && f.user === 'carol'),
    [],
    'no presence for a refused join'
  )
})

t.test('20 concurrent joins for the last seat let exactly one in', async (t) => {
  const server = await startServer(t, FAST_FRAMES)
  const { client: owner } = await user(t, server, 'owner')
  owner.send({ type: 'create', room: 'last', cap: 2 })
  await owner.next('joined', (f) => f.room === 'last')
  const racers = await Promise.all(Array.from({ length: 20 }, (_, i) => user(t, server, `racer${i}`)))
  for (const { client } of racers) client.send({ type: 'join', room: 'last' })
  const outcomes = await Promise.all(
    racers.map(({ client }) =>
      Promise.race([
        client.next('joined', (f) => f.room === 'last').then(() => 'in'),
        client.next('error', (f) => f.room === 'last').then((f) => f.code)
      ])
    )
  )
  t.equal(outcomes.filter((o) => o === 'in').length, 1, 'one got in')
  t.equal(outcomes.filter((o) => o === 'room_full').length, 19, 'the others were refused')
  owner.send({ type: 'rooms' })
  t.match((await owner.next('rooms')).rooms, [{ name: 'last', online: 2 }, { name: 'lobby' }])
})

t.test('presence on join, on leave, and when the last tab closes (not the first)', async (t) => {
  const server = await startServer(t, FAST_FRAMES)
  const { client: bob } = await user(t, server, 'bob')
  const aliceCookie = await signUp(server, 'alice')
  const tab1 = await open(t, server, aliceCookie)
  t.same(await bob.next('presence'), { type: 'presence', room: 'lobby', user: 'alice', event: 'join', online: 2 })
  const tab2 = await open(t, server, aliceCookie)
  tab1.ws.close()
  await tab1.waitClose()
  bob.send({ type: 'rooms' })
  t.match((await bob.next('rooms')).rooms, [{ name: 'lobby', online: 2 }], 'one tab left: alice is still there')
  t.same(
    bob.frames.filter((f) => f.type === 'presence'),
    [],
    'no presence for the second tab or the first closing'
  )
  tab2.ws.terminate() // the last tab goes away without a goodbye
  t.same(await bob.next('presence'), { type: 'presence', room: 'lobby', user: 'alice', event: 'leave', online: 1 })
  t.equal(tab1.frames.filter((f) => f.type === 'presence').length, 0)
})

t.test('names come from sessions: a frame cannot name its sender', async (t) => {
  const server = await startServer(t, FAST_FRAMES)
  const { client: alice } = await user(t, server, 'alice')
  alice.send({ type: 'typing', room: 'lobby', user: 'mallory' })
  t.match(await alice.next('error'), { code: 'invalid' })
  alice.send({ type: 'join', room: 'lobby', user: 'mallory' })
  t.match(await alice.next('error'), { code: 'invalid' })
})

t.test('typing is passed on to the others at most once every 2 s per room, and not stored', async (t) => {
  const server = await startServer(t, FAST_FRAMES)
  const { client: alice } = await user(t, server, 'alice')
  const { client: bob } = await user(t, server, 'bob')
  for (let i = 0; i < 5; i++) alice.send({ type: 'typing', room: 'lobby' })
  t.same(await bob.next('typing'), { type: 'typing', room: 'lobby', user: 'alice' })
  alice.send({ type: 'rooms' }) // a round trip, so the extra typing frames have been handled
  await alice.next('rooms')
  await new Promise((r) => setTimeout(r, 100))
  t.same(
    bob.frames.filter((f) => f.type === 'typing'),
    [],
    'the extra ones were dropped'
  )
  t.same(
    alice.frames.filter((f) => f.type === 'typing' || f.type === 'error'),
    [],
    'the typist sees nothing, not even an error'
  )
  alice.send({ type: 'typing', room: 'dev' })
  t.match(await alice.next('error'), { code: 'not_in_room', room: 'dev' })
  const late = await open(t, server, await logIn(server, 'bob'))
  t.same(
    late.frames.filter((f) => f.type === 'typing'),
    [],
    'not replayed to someone joining later'
  )
})

t.test('join/leave spam is refused with rate_limited and floods no one', async (t) => {
  // Presence at once, so each allowed join and leave shows (batched, they would cancel out).
  // 7 a minute: the lobby join on connect takes one, 6 are left for dev.
  const server = await startServer(t, { ...FAST_FRAMES, roomJoinsPerMin: 7, presenceFlushMs: 0 })
  const { client: alice } = await user(t, server, 'alice')
  const { client: bob } = await user(t, server, 'bob')
  bob.send({ type: 'create', room: 'dev' })
  await bob.next('joined', (f) => f.room === 'dev')
  for (let i = 0; i < 20; i++) alice.send({ type: i % 2 === 0 ? 'join' : 'leave', room: 'dev' })
  const limited = await alice.next('error', (f) => f.code === 'rate_limited')
  t.match(limited, { room: 'dev' })
  t.ok(limited.retryInMs > 0, 'says when to try again')
  alice.send({ type: 'rooms' })
  t.match(await alice.next('error', (f) => f.code === 'rate_limited'), { retryInMs: Number })
  await new Promise((r) => setTimeout(r, 200))
  const presence = bob.frames.filter((f) => f.type === 'presence' && f.room === 'dev')
  t.equal(presence.length, 6, 'only the 6 allowed joins and leaves reached the room')
})

t.test('room creation has its own limit; MAX_ROOMS is enforced', async (t) => {
  const server = await startServer(t, { ...FAST_FRAMES, roomCreatesPerMin: 2, maxRooms: 3 })
  const { client: alice } = await user(t, server, 'alice')
  const { client: bob } = await user(t, server, 'bob')
  alice.send({ type: 'create', room: 'a' })
  alice.send({ type: 'create', room: 'b' })
  alice.send({ type: 'create', room: 'c' })
  await alice.next('joined', (f) => f.room === 'a')
  await alice.next('joined', (f) => f.room === 'b')
  t.match(await alice.next('error'), { code: 'rate_limited', room: 'c' })
  bob.send({ type: 'create', room: 'c' })
  t.match(await bob.next('error'), { code: 'too_many_rooms', room: 'c' })
  bob.send({ type: 'create', room: 'd', cap: 51 })
  t.match(await bob.next('error'), { code: 'invalid', room: 'd' }, 'a cap above ROOM_MAX_USERS')
})

t.test('large rooms over real sockets: counts instead of names, `members` pages, its refusals', async (t) => {
  const server = await startServer(t, { ...FAST_FRAMES, memberListMax: 1, presenceFlushMs: 0, onlineCountMs: 0 })
  const { client: alice } = await user(t, server, 'alice')
  const bob = await connect(server, await signUp(server, 'bob'))
  t.teardown(() => bob.ws.close())
  t.match(await bob.next('joined'), { room: 'lobby', online: 2, members: [], large: true })
  t.same(await alice.next('online'), { type: 'online', room: 'lobby', online: 2, large: true })
  t.equal(alice.frames.filter((f) => f.type === 'presence').length, 0, 'no presence by name in a large room')
  bob.send({ type: 'members', room: 'lobby' })
  t.same(await bob.next('members'), { type: 'members', room: 'lobby', online: 2, large: true, offset: 0, users: ['alice', 'bob'], more: false })
  bob.send({ type: 'members', room: 'lobby', offset: 1 })
  t.match(await bob.next('members', (f) => f.offset === 1), { users: ['bob'], more: false })
  bob.send({ type: 'members', room: 'dev' })
  t.match(await bob.next('error'), { code: 'not_in_room', room: 'dev' })
  for (const bad of [{ offset: -1 }, { offset: 1.5 }, { offset: '0' }, { extra: 1 }]) {
    bob.send({ type: 'members', room: 'lobby', ...bad })
    t.match(await bob.next('error'), { code: 'invalid' }, JSON.stringify(bad))
  }
  // Names on request are rate limited like joins (a burst of 10): a scraper gets rate_limited.
  for (let i = 0; i < 12; i++) bob.send({ type: 'members', room: 'lobby' })
  t.match(await bob.next('error', (f) => f.code === 'rate_limited'), { room: 'lobby', retryInMs: Number })
})
