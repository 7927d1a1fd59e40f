// Room defences, each a named scenario that fails when its defence is removed.
import t from 'tap'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { startServer } from '../helpers/server.js'
import { chatUser, FAST_FRAMES } from '../helpers/rooms.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('cap race: 20 users joining for the last seat at once -> exactly one gets in, the room never exceeds its cap', async (t) => {
  const server = await startServer(t, FAST_FRAMES)
  const { client: owner } = await chatUser(t, server, 'owner')
  owner.send({ type: 'create', room: 'vip', cap: 2 })
  await owner.next('joined', (f) => f.room === 'vip')
  const racers = await Promise.all(Array.from({ length: 20 }, (_, i) => chatUser(t, server, `racer${i}`)))
  for (const { client } of racers) client.send({ type: 'join', room: 'vip' })
  const outcomes = await Promise.all(
    racers.map(({ client }) =>
      Promise.race([
        client.next('joined', (f) => f.room === 'vip').then(() => 'in'),
        client.next('error', (f) => f.room === 'vip').then((f) => f.code)
      ])
    )
  )
  t.equal(outcomes.filter((o) => o === 'in').length, 1)
  owner.send({ type: 'rooms' })
  t.match((await owner.next('rooms')).rooms, [{ name: 'lobby' }, { name: 'vip', online: 2, cap: 2 }])
})

t.test('join/leave spam -> refused with rate_limited after the burst; the room sees only the allowed presence changes', async (t) => {
  const server = await startServer(t, { ...FAST_FRAMES, roomJoinsPerMin: 6 })
  const { client: spammer } = await chatUser(t, server, 'spammer')
  const { client: victim } = await chatUser(t, server, 'victim')
  victim.send({ type: 'create', room: 'quiet' })
  await victim.next('joined', (f) => f.room === 'quiet')
  for (let i = 0; i < 40; i++) spammer.send({ type: i % 2 === 0 ? 'join' : 'leave', room: 'quiet' })
  t.match(await spammer.next('error', (f) => f.code === 'rate_limited'), { room: 'quiet', retryInMs: Number })
  await sleep(300)
  t.ok(victim.frames.filter((f) => f.type === 'presence' && f.room === 'quiet').length <= 6, 'at most the burst reached the room')
})

t.test('room creation flood -> ROOM_CREATES_PER_MIN per user, then MAX_ROOMS for everyone: memory stays bounded', async (t) => {
  const server = await startServer(t, { ...FAST_FRAMES, roomCreatesPerMin: 3, maxRooms: 5 })
  const { client: first } = await chatUser(t, server, 'first')
  const { client: second } = await chatUser(t, server, 'second')
  for (let i = 0; i < 5; i++) first.send({ type: 'create', room: `a${i}` })
  for (let i = 0; i < 3; i++) await first.next('joined', (f) => f.room === `a${i}`)
  for (let i = 3; i < 5; i++) t.match(await first.next('error'), { code: 'rate_limited', room: `a${i}` })
  for (let i = 0; i < 3; i++) second.send({ type: 'create', room: `b${i}` })
  await second.next('joined', (f) => f.room === 'b0')
  for (let i = 1; i < 3; i++) t.match(await second.next('error'), { code: 'too_many_rooms', room: `b${i}` })
  second.send({ type: 'rooms' })
  t.equal((await second.next('rooms')).rooms.length, 5, 'MAX_ROOMS, the lobby included')
})

t.test('room names cannot reach outside DATA_DIR/history -> refused as invalid, no file written', async (t) => {
  const server = await startServer(t, FAST_FRAMES)
  const { client } = await chatUser(t, server, 'alice')
  for (const room of ['../evil', '..', 'a/b', 'Lobby', 'x'.repeat(33), '', 'con.log']) {
    client.send({ type: 'create', room })
    t.match(await client.next('error'), { code: 'invalid' }, JSON.stringify(room))
  }
  t.notOk(client.closed, 'the socket is still open')
  t.same(await readdir(join(server.dataDir, 'history')), ['lobby.log'])
  t.notOk((await readdir(server.dataDir)).includes('evil.log'))
})

t.test('a room is private to its members -> message, history and typing from outside are refused', async (t) => {
  const server = await startServer(t, { ...FAST_FRAMES, messageRatePerSec: 100 })
  const { client: alice } = await chatUser(t, server, 'alice')
  const { client: eve } = await chatUser(t, server, 'eve')
  alice.send({ type: 'create', room: 'secret' })
  await alice.next('joined', (f) => f.room === 'secret')
  alice.send({ type: 'message', room: 'secret', text: 'the plan' })
  await alice.next('message', (f) => f.room === 'secret')
  eve.send({ type: 'history', room: 'secret', before: 100 })
  t.match(await eve.next('error'), { code: 'not_in_room', room: 'secret' })
  eve.send({ type: 'message', room: 'secret', text: 'injected' })
  t.match(await eve.next('error'), { code: 'not_in_room', room: 'secret' })
  eve.send({ type: 'typing', room: 'secret' })
  t.match(await eve.next('error'), { code: 'not_in_room', room: 'secret' })
  await sleep(100)
  t.same(alice.frames.filter((f) => f.room === 'secret' && f.type !== 'presence'), [], 'nothing from outside reached the room')
  t.same(eve.frames.filter((f) => f.room === 'secret'), [], 'and nothing leaked out')
})

t.test('typing flood -> at most one typing frame per 2 s per user reaches the others', async (t) => {
  const server = await startServer(t, FAST_FRAMES)
  const { client: alice } = await chatUser(t, server, 'alice')
  const { client: bob } = await chatUser(t, server, 'bob')
  for (let i = 0; i < 50; i++) alice.send({ type: 'typing', room: 'lobby' })
  await bob.next('typing')
  await sleep(300)
  t.equal(bob.frames.filter((f) => f.type === 'typing').length, 0)
})

t.test('a frame cannot choose the sender name -> user fields are refused; presence and typing use the session name', async (t) => {
  const server = await startServer(t, FAST_FRAMES)
  const { client: alice } = await chatUser(t, server, 'alice')
  const { client: bob } = await chatUser(t, server, 'bob')
  alice.send({ type: 'typing', room: 'lobby', user: 'bob' })
  t.match(await alice.next('error'), { code: 'invalid' })
  alice.send({ type: 'typing', room: 'lobby' })
  t.match(await bob.next('typing'), { user: 'alice' })
})
