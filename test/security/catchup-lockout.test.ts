// Catch-up lockout (issue 16, finding 2): a client that rejoins with `since` after HISTORY_LIMIT
// maximum-size messages is sent its catch-up paced by its socket, never dropped for it as a slow
// reader, and gets `joined`, every missed message and the live ones once, in seq order.
import t from 'tap'
import type { Test } from 'tap'
import { connect, signUp, type ChatClient } from '../helpers/clients.js'
import { openChat, FAST_FRAMES } from '../helpers/rooms.js'
import { startServer, type TestServer } from '../helpers/server.js'
import type { RoomClient } from '../../lib/chat/rooms/room-hub.js'

const BOUND = 16_384 // MAX_BUFFERED_BYTES at its minimum
// HISTORY_LIMIT: 3,000 messages of ~3 KiB (8.6 MiB), 550 times the bound and more than the kernel's
// socket buffers take here (tcp_wmem 4 MiB): a reader that stops reading really holds the server back.
const HISTORY = 3000
const FRAME_BYTES = 3017
const LIVE = 5
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
// MESSAGE_MAX_CHARS at its maximum, in 3-byte characters: the largest message a client may send.
const text = (i: number) => String(i).padStart(4, '0') + '\u20ac'.repeat(996)

/** A server whose lobby holds HISTORY maximum-size messages written after `bob` saw seq 1. */
async function missedHistory(t: Test) {
  const server = await startServer(t, {
    ...FAST_FRAMES,
    maxBufferedBytes: BOUND,
    historyLimit: HISTORY,
    messageMaxChars: 1000,
    messageRatePerSec: 100,
    idleWarnMs: 600_000,
    idleKickMs: 900_000
  })
  const hub = server.app.roomHub
  const writer: RoomClient = { user: 'writer', send() {} }
  hub.join(writer, 'lobby')
  hub.post(writer, 'lobby', text(1))
  await hub.drain()
  const cookie = await signUp(server, 'bob')
  for (let i = 2; i <= HISTORY + 1; i++) hub.post(writer, 'lobby', text(i))
  await hub.drain()
  const alice = await openChat(t, server, await signUp(server, 'alice'))
  return { server, cookie, alice, last: HISTORY + 1 }
}

/** alice's socket on the server (the first one opened). */
const aliceSocket = (server: TestServer) => [...server.app.websocketServer.clients][0]

/** Every frame in arrival order, and the peak of unsent bytes the server held for any socket meanwhile. */
function record(server: TestServer, client: ChatClient) {
  const frames: any[] = []
  client.ws.on('message', (data) => frames.push(JSON.parse(String(data))))
  let peak = 0
  const probe = setInterval(() => {
    for (const socket of server.app.websocketServer.clients) peak = Math.max(peak, socket.bufferedAmount)
  }, 1)
  return { frames, peak: () => peak, stop: () => clearInterval(probe) }
}

/** The rejoin: connect, resume the lobby from seq 1 at once, and have alice talk meanwhile. */
async function rejoin(t: Test, setup: Awaited<ReturnType<typeof missedHistory>>, whileCatchingUp: (bob: ChatClient) => Promise<void>) {
  const { server, cookie, alice } = setup
  const bob = await connect(server, cookie, { join: false })
  t.teardown(() => bob.ws.close())
  const log = record(server, bob)
  t.teardown(log.stop)
  bob.send({ type: 'join', room: 'lobby', since: 1 })
  for (let i = 1; i <= LIVE; i++) alice.send({ type: 'message', text: `live ${i}` })
  await whileCatchingUp(bob)
  const final = setup.last + LIVE
  const started = Date.now()
  // Until the last one arrives, or the socket closes (then the checks below say what was missing).
  const closed = new Promise<void>((resolve) => bob.ws.once('close', () => resolve()))
  await Promise.race([bob.next('message', (f) => f.seq === final, 20_000), closed]).catch(() => {})
  log.stop()
  t.comment(`catch-up of ${HISTORY} messages (${(HISTORY * FRAME_BYTES / 1024 / 1024).toFixed(1)} MiB) in ${Date.now() - started} ms; peak unsent per socket ${log.peak()} bytes (bound ${BOUND})`)
  t.equal(bob.closed, undefined, 'the reader was never closed')
  const resumed = log.frames.findIndex((f) => f.type === 'joined' && f.lastSeq > 1 && f.messages.length === 0)
  t.ok(resumed >= 0, 'the resume was answered with `joined`')
  const seqs = log.frames.slice(resumed + 1).filter((f) => f.type === 'message').map((f) => f.seq)
  t.equal(seqs.length, final - 1, 'every missed and live message arrived')
  t.same(seqs, Array.from({ length: final - 1 }, (_, i) => i + 2), 'once each, in seq order, the live ones after the missed ones')
  t.same(log.frames.slice(resumed + 1 + final - 1).filter((f) => f.type === 'message'), [], 'nothing twice')
  t.ok(log.peak() <= BOUND, `the server never held more than MAX_BUFFERED_BYTES for a socket (peak ${log.peak()})`)
}

t.test('a rejoin with `since` after HISTORY_LIMIT maximum-size messages gets joined, then every message once in order; never dropped', async (t) => {
  await rejoin(t, await missedHistory(t), async () => {})
})

t.test('a reader that stops reading during its catch-up and reads again later still gets everything and is not dropped', async (t) => {
  const setup = await missedHistory(t)
  await rejoin(t, setup, async (bob) => {
    const raw = (bob.ws as unknown as { _socket: import('node:net').Socket })._socket
    raw.pause()
    await sleep(500)
    t.equal(setup.server.app.chatHub.countUser('bob'), 1, 'still connected while not reading')
    const [socket] = [...setup.server.app.websocketServer.clients].filter((s) => s !== aliceSocket(setup.server))
    const written = (socket as unknown as { _socket: import('node:net').Socket })._socket.bytesWritten
    t.ok(written < HISTORY * FRAME_BYTES / 2, `the server waits for the reader: ${written} bytes written while it did not read`)
    raw.resume()
  })
})

t.test('a socket that closes in the middle of its catch-up leaves nothing behind: the room goes on, the next rejoin is whole', async (t) => {
  const setup = await missedHistory(t)
  const { server, cookie } = setup
  const gone = await connect(server, cookie, { join: false })
  const raw = (gone.ws as unknown as { _socket: import('node:net').Socket })._socket
  gone.send({ type: 'join', room: 'lobby', since: 1 })
  await gone.next('joined', (f) => f.lastSeq > 1 && f.messages.length === 0)
  raw.pause()
  await sleep(100)
  gone.ws.terminate()
  await gone.waitClose()
  await sleep(50)
  t.equal(server.app.chatHub.countUser('bob'), 0, 'the socket is gone from the hubs')
  await rejoin(t, setup, async () => {})
})

t.test('joined and history pages of maximum-size messages fit a quarter of the bound: fewer messages, the rest on request', async (t) => {
  const { server, cookie } = await missedHistory(t)
  const bob = await connect(server, cookie)
  t.teardown(() => bob.ws.close())
  const sizes: number[] = []
  bob.ws.on('message', (data: Buffer) => sizes.push(data.length))
  const joined = await bob.next('joined', (f) => f.room === 'lobby')
  t.ok(joined.messages.length >= 1 && joined.messages.length < 50, `joined carries the newest ${joined.messages.length} that fit`)
  t.equal(joined.messages.at(-1).seq, HISTORY + 1, 'the newest message is in it')
  let before = joined.messages[0].seq
  let pages = 0
  for (; pages < 5; pages++) {
    bob.send({ type: 'history', room: 'lobby', before, limit: 100 })
    const page = await bob.next('history')
    t.ok(page.messages.length >= 1 && page.more, 'a page of what fits, and more to come')
    t.equal(page.messages.at(-1).seq, before - 1, 'it goes on where the last one ended')
    before = page.messages[0].seq
  }
  t.ok(Math.max(...sizes) <= BOUND / 2, `no frame over half the bound (largest ${Math.max(...sizes)} bytes)`)
  t.equal(bob.closed, undefined, 'never closed')
})

t.test('a reader that does not read its live traffic during a catch-up is still dropped, at half the bound', async (t) => {
  const setup = await missedHistory(t)
  const { server, cookie, alice } = setup
  alice.send({ type: 'create', room: 'dev' })
  await alice.next('joined', (f) => f.room === 'dev')
  const bob = await connect(server, cookie)
  t.teardown(() => bob.ws.close())
  bob.send({ type: 'join', room: 'dev' })
  await bob.next('joined', (f) => f.room === 'dev')
  const raw = (bob.ws as unknown as { _socket: import('node:net').Socket })._socket
  bob.send({ type: 'join', room: 'lobby', since: 1 })
  raw.pause()
  await sleep(300) // the catch-up fills the kernel's buffers and waits
  t.equal(server.app.chatHub.countUser('bob'), 1, 'not dropped for the catch-up')
  for (let i = 1; i <= 5 && server.app.chatHub.countUser('bob') > 0; i++) {
    alice.send({ type: 'message', room: 'dev', text: text(i) })
    await sleep(20)
  }
  for (let i = 0; i < 100 && server.app.chatHub.countUser('bob') > 0; i++) await sleep(20)
  t.equal(server.app.chatHub.countUser('bob'), 0, 'dropped once its unread live frames pass half of MAX_BUFFERED_BYTES')
})
