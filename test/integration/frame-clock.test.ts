// One clock read per frame: the frame budget, the message limiter, the idle clock and the
// message's timestamp all use the reading taken when the frame arrived.
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { connect, signUp } from '../helpers/clients.js'
import { ChatSocket } from '../../lib/chat/gateway/chat-socket.js'

t.test('a chat message costs one clock read, and its stamp, idle clock and limits share it', async (t) => {
  const server = await startServer(t, { messageRatePerSec: 100 })
  const alice = await connect(server, await signUp(server, 'alice'))
  t.teardown(() => alice.ws.close())
  await alice.next('joined')
  alice.send({ type: 'message', text: 'warm up' }) // makes the budget
  await alice.next('message')

  // Date.now calls made while the server handles one frame (synchronously, inside onMessage).
  const realNow = Date.now
  const onMessage = ChatSocket.prototype.onMessage
  let inside = false
  const readings: number[] = []
  // Inside, the clock runs 7 ms ahead: a stamp taken from another reading (a clock captured
  // before the patch, say) would not match.
  Date.now = () => {
    if (!inside) return realNow()
    const now = realNow() + 7
    readings.push(now)
    return now
  }
  ChatSocket.prototype.onMessage = function (this: ChatSocket, data: Buffer, isBinary: boolean) {
    inside = true
    try {
      return onMessage.call(this, data, isBinary)
    } finally {
      inside = false
    }
  }
  t.teardown(() => {
    Date.now = realNow
    ChatSocket.prototype.onMessage = onMessage
  })
  alice.send({ type: 'message', text: 'stamped once' })
  const message = await alice.next('message')
  t.equal(readings.length, 1, `one clock read for the frame (read ${readings.length})`)
  t.equal(message.ts, readings[0], 'the message is stamped with that reading')
  const session = (await server.app.sessions.list()).find((s) => s.id === sessionOf(server))
  t.equal(session?.lastActive, readings[0], 'the idle clock restarts at it')
})

function sessionOf(server: Awaited<ReturnType<typeof startServer>>): string {
  const [ws] = [...server.app.websocketServer.clients]
  const chat = Object.getOwnPropertySymbols(ws).map((s) => (ws as any)[s]).find((v) => v instanceof ChatSocket) as ChatSocket
  return chat.sessionId
}
