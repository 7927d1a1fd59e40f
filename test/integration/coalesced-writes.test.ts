// Fan-out write coalescing over a real WSS socket: the frames one socket gets in one turn
// leave in one write of its TLS socket (one record, one syscall), in order.
import t from 'tap'
import type { Socket } from 'node:net'
import type { IncomingMessage } from 'node:http'
import { startServer } from '../helpers/server.js'
import { connect, signUp } from '../helpers/clients.js'
import type { RoomClient } from '../../lib/chat/rooms/room-hub.js'
import { encodeIdleWarning } from '../../lib/chat/protocol/server-frames.js'

t.test('messages broadcast in one commit reach each socket in one write, in seq order', async (t) => {
  const server = await startServer(t)
  const bob = await connect(server, await signUp(server, 'bob'))
  await bob.next('welcome')
  await bob.next('joined')
  // The server side of bob's socket: count what reaches its TLS socket.
  const [ws] = [...server.app.websocketServer.clients]
  const tls = (ws as unknown as { _socket: Socket })._socket
  const writes: number[] = []
  const write = tls._write.bind(tls)
  const writev = tls._writev!.bind(tls)
  tls._write = (chunk, encoding, cb) => (writes.push(1), write(chunk, encoding, cb))
  tls._writev = (chunks, cb) => (writes.push(chunks.length), writev(chunks, cb))

  // A hub member posting three messages in one turn: one group commit, one fan-out.
  const poster: RoomClient = { user: 'poster', send() {} }
  const hub = server.app.roomHub
  t.equal(hub.join(poster, 'lobby'), undefined)
  // Its presence may wait for the room's presence interval (PRESENCE_FLUSH_MS): let it arrive first.
  t.match(await bob.next('presence'), { user: 'poster', event: 'join' })
  await hub.drain()
  await new Promise((resolve) => setImmediate(resolve))
  writes.length = 0
  for (const text of ['one', 'two', 'three']) t.equal(hub.post(poster, 'lobby', text), undefined)
  await hub.drain()
  const got = [await bob.next('message'), await bob.next('message'), await bob.next('message')]
  t.same(got.map((f) => f.text), ['one', 'two', 'three'])
  t.ok(got[0].seq < got[1].seq && got[1].seq < got[2].seq, 'in seq order')
  t.same(writes, [3], 'one socket write carrying the three frames')
  hub.disconnect(poster)
  bob.ws.close()
})

t.test('a frame and a close in the same turn: the client gets the frame, then the close', async (t) => {
  const server = await startServer(t)
  const bob = await connect(server, await signUp(server, 'bob'))
  await bob.next('welcome')
  const [session] = await server.app.sessions.list('bob')
  const closed = new Promise<number>((resolve) => bob.ws.once('close', (code) => resolve(code)))
  // The frame is held (corked) until the turn ends; ws's close frame joins the same write after it.
  server.app.chatHub.sendToSession(session!.id, encodeIdleWarning(1234))
  server.app.chatHub.closeSession(session!.id, 4321, 'test close')
  t.match(await bob.next('idle_warning'), { kickInMs: 1234 }, 'the frame arrived')
  t.equal(await closed, 4321, 'then the close, with its code')
})

t.test('a new chat socket gets its 101, welcome and joined in one write of its TLS socket', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'carol')
  const writes: number[] = []
  // Runs after @fastify/websocket's listener, which only starts the (async) route: before the 101.
  server.app.server.once('upgrade', (_request: IncomingMessage, tls: Socket) => {
    const write = tls._write.bind(tls)
    const writev = tls._writev!.bind(tls)
    tls._write = (chunk, encoding, cb) => (writes.push(1), write(chunk, encoding, cb))
    tls._writev = (chunks, cb) => (writes.push(chunks.length), writev(chunks, cb))
  })
  // The lobby asked for in the upgrade (/ws?join=lobby): its joined leaves with the welcome.
  const carol = await connect(server, cookie)
  await carol.next('welcome')
  await carol.next('joined')
  t.same(writes, [3], 'one write: 101, welcome, joined')
  carol.ws.close()
})
