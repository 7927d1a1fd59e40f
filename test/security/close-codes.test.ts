// Every close code the server can send: documented in docs/protocol.md, and each one seen.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { startServer } from '../helpers/server.js'
import { connect, request, signUp } from '../helpers/clients.js'
import { CLOSE } from '../../lib/chat/protocol/protocol.js'

const docs = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8')

t.test('docs/protocol.md lists exactly the close codes of lib/chat/protocol/protocol.ts, with their reasons', async (t) => {
  const section = docs.slice(docs.indexOf('### Close codes'))
  const rows = [...section.matchAll(/^\|\s*(\d{4})\s*\|\s*`?([a-z_]*)`?\s*\|/gm)].map((m) => [Number(m[1]), m[2]])
  const expected = Object.values(CLOSE).map((c) => [c.code, c.reason])
  t.same(rows.sort(), expected.sort())
})

t.test('1001 shutdown: the server is closing', async (t) => {
  const server = await startServer(t)
  const alice = await connect(server, await signUp(server, 'alice'))
  await alice.next('welcome')
  await server.app.close()
  t.same(await alice.waitClose(), { code: 1001, reason: 'shutdown' })
})

t.test('1002: a frame that breaks the WebSocket protocol (reserved opcode)', async (t) => {
  const server = await startServer(t)
  const alice = await connect(server, await signUp(server, 'alice'))
  await alice.next('welcome')
  // FIN + opcode 3 (reserved), masked, empty payload: written raw under the client library.
  ;(alice.ws as any)._socket.write(Buffer.from([0x83, 0x80, 1, 2, 3, 4]))
  t.match(await alice.waitClose(), { code: 1002 })
})

t.test('1003 binary: a binary frame', async (t) => {
  const server = await startServer(t)
  const alice = await connect(server, await signUp(server, 'alice'))
  alice.ws.send(Buffer.from('{"type":"message","text":"hi"}'), { binary: true })
  t.same(await alice.waitClose(), { code: 1003, reason: 'binary' })
})

t.test('1007: a text frame that is not UTF-8', async (t) => {
  const server = await startServer(t)
  const alice = await connect(server, await signUp(server, 'alice'))
  alice.ws.send(Buffer.from([0x22, 0xff, 0xfe, 0x22]), { binary: false })
  t.match(await alice.waitClose(), { code: 1007 })
})

t.test('1008 too_many_refused_frames: a socket that keeps sending refused frames', async (t) => {
  const server = await startServer(t, { refusedFramesPerMin: 3 })
  const alice = await connect(server, await signUp(server, 'alice'))
  for (let i = 0; i < 10; i++) alice.send('{}')
  t.same(await alice.waitClose(), { code: 1008, reason: 'too_many_refused_frames' })
})

t.test('1009, every time: 40 oversize frames on 40 sockets all close with 1009, never 1006', async (t) => {
  const server = await startServer(t, { maxSocketsPerUser: 50 })
  const cookie = await signUp(server, 'alice')
  const codes: number[] = []
  for (let i = 0; i < 40; i++) {
    const big = await connect(server, cookie)
    // Large ones still arrive after the refusal: dropping the connection then (instead of
    // ending it after the close frame) makes a reset that loses the close frame.
    big.send({ type: 'message', text: 'x'.repeat(i % 2 ? 5000 : 512 * 1024) })
    codes.push((await big.waitClose()).code)
  }
  t.same([...new Set(codes)], [1009], `codes seen: ${codes.join(',')}`)
})

t.test('1011 internal: handling a frame fails on the server', async (t) => {
  const server = await startServer(t)
  const alice = await connect(server, await signUp(server, 'alice'))
  await alice.next('welcome')
  server.app.roomHub.post = () => {
    throw new Error('disk on fire')
  }
  alice.send({ type: 'message', text: 'hi' })
  t.same(await alice.waitClose(), { code: 1011, reason: 'internal' })
})

t.test('4000 idle, 4001 logout, 4002 session_expired', async (t) => {
  const idleServer = await startServer(t, { idleWarnMs: 100, idleKickMs: 300 })
  const idle = await connect(idleServer, await signUp(idleServer, 'alice'))
  t.same(await idle.waitClose(3000), { code: 4000, reason: 'idle' })

  const server = await startServer(t, { sessionTtlMs: 1000 })
  const cookie = await signUp(server, 'bob')
  const out = await connect(server, cookie)
  await out.next('welcome')
  await request(server, 'POST', '/api/logout', { cookie })
  t.same(await out.waitClose(), { code: 4001, reason: 'logout' })

  const expiring = await connect(server, await signUp(server, 'carol'))
  t.same(await expiring.waitClose(3000), { code: 4002, reason: 'session_expired' })
})
