// The explicit lobby join: the server joins no room by itself, so a client that resumes the lobby
// gets every message it missed once (none come twice with a `joined` it never asked for), and a
// socket that asks for nothing gets its welcome and no room traffic.
import t, { type Test } from 'tap'
import { connect, refusal, type ChatClient } from '../helpers/clients.js'
import { startServer } from '../helpers/server.js'
import { chatUser, range, FAST_FRAMES } from '../helpers/rooms.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const TOTAL = 40

/** Every lobby seq a client was handed, in arrival order: those inside `joined` frames and `message` frames alike. */
const lobbySeqs = (frames: any[]) =>
  frames.flatMap((f) =>
    f.room !== 'lobby' ? [] : f.type === 'joined' ? f.messages.map((m: any) => m.seq) : f.type === 'message' ? [f.seq] : []
  )

/**
 * Bob saw seqs 1-5 and dropped; Alice wrote 6-17 meanwhile and goes on writing up to TOTAL while Bob
 * comes back: `writing` settles once she is done.
 */
async function missedWhileAway(t: Test) {
  const server = await startServer(t, { ...FAST_FRAMES, messageRatePerSec: 100 })
  const { client: alice } = await chatUser(t, server, 'alice')
  const { client: bob, cookie } = await chatUser(t, server, 'bob')
  for (let i = 1; i <= 5; i++) alice.send({ type: 'message', text: `m${i}` })
  await bob.next('message', (f) => f.seq === 5)
  bob.ws.terminate()
  await bob.waitClose()
  for (let i = 6; i <= 17; i++) alice.send({ type: 'message', text: `m${i}` })
  await alice.next('message', (f) => f.seq === 17)
  const writing = (async () => {
    for (let i = 18; i <= TOTAL; i++) {
      alice.send({ type: 'message', text: `m${i}` })
      await sleep(5)
    }
  })()
  return { server, cookie, writing }
}

/** The client's frames once the last seq arrived and anything sent twice would have too. */
async function settled(client: ChatClient) {
  for (let i = 0; i < 250 && !client.frames.some((f) => f.type === 'message' && f.seq === TOTAL); i++) await sleep(20)
  await sleep(100)
  return client.frames
}

t.test('a client holding seq N that resumes with `join lobby since N` while messages keep arriving gets every later seq once, in order', async (t) => {
  const held = 5
  // Alice goes on writing while Bob reconnects and resumes.
  const { server, cookie, writing } = await missedWhileAway(t)
  const back = await connect(server, cookie, { join: false })
  t.teardown(() => back.ws.close())
  back.send({ type: 'join', room: 'lobby', since: held })
  await writing
  // Every frame stays queued on the client, in arrival order (the welcome came with the upgrade).
  const frames = await settled(back)

  t.equal(frames[0]?.type, 'welcome', 'the welcome first')
  const joined = frames.filter((f) => f.type === 'joined')
  t.equal(joined.length, 1, 'one joined: the answer to the resume (no automatic lobby join)')
  t.match(joined[0], { room: 'lobby', messages: [] })
  t.same(lobbySeqs(frames), range(held + 1, TOTAL), 'every seq after N exactly once, in seq order, no duplicate')
})

t.test('a socket that sends no join gets its welcome and no joined or message, while the lobby is busy', async (t) => {
  const server = await startServer(t, { ...FAST_FRAMES, messageRatePerSec: 100 })
  const { client: alice, cookie } = await chatUser(t, server, 'alice')
  const silent = await connect(server, cookie, { join: false })
  t.teardown(() => silent.ws.close())
  t.match(await silent.next('welcome'), { type: 'welcome', user: 'alice', room: 'lobby' }, 'welcome names the lobby as the room to join first')
  for (let i = 1; i <= 3; i++) alice.send({ type: 'message', text: `m${i}` })
  await alice.next('message', (f) => f.seq === 3)
  await sleep(400) // longer than any hold the server ever kept
  t.same(silent.frames.filter((f) => f.type === 'joined' || f.type === 'message'), [], 'no room joined, no message')
  t.equal(server.app.roomHub.rooms().find((r) => r.name === 'lobby')?.online, 1, 'only alice is in the lobby')
})

t.test('the same resume asked for in the upgrade (/ws?join=lobby&since=N): joined with the welcome, then every later seq once, in order', async (t) => {
  const { server, cookie, writing } = await missedWhileAway(t)
  const back = await connect(server, cookie, { since: 5 })
  t.teardown(() => back.ws.close())
  await writing
  const frames = await settled(back)
  t.same(frames.slice(0, 2).map((f) => f.type), ['welcome', 'joined'], 'the welcome, then the joined the upgrade asked for')
  t.equal(frames.filter((f) => f.type === 'joined').length, 1, 'one joined')
  t.same(lobbySeqs(frames), range(6, TOTAL), 'every seq after N exactly once, in seq order, no duplicate')
})

t.test('the upgrade query is checked like a join frame: a bad room name or since is refused before any socket; a refused join answers as its frame would', async (t) => {
  const server = await startServer(t, { ...FAST_FRAMES, roomMaxUsers: 2 })
  const { cookie } = await chatUser(t, server, 'alice')
  const ws = (query: string) => connect(server, cookie, { join: false, path: '/ws' + query })
  t.equal(await refusal(ws('?join=Not%20A%20Room')), 400, 'a room name that breaks the rule')
  t.equal(await refusal(ws('?join=lobby&since=-1')), 400, 'since that is not decimal digits')
  t.equal(await refusal(ws('?join=lobby&since=1e3')), 400, 'no exponent either')
  const nowhere = await ws('?join=nowhere')
  t.teardown(() => nowhere.ws.close())
  await nowhere.next('welcome')
  t.match(await nowhere.next('error'), { code: 'no_such_room', room: 'nowhere' }, 'an unknown room: the join frame\'s own refusal')
})
