// A slow reader: a client that stops reading while others talk is dropped at the output bound,
// and the server never holds more than that for it.
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { connect, signUp, type ChatClient } from '../helpers/clients.js'

// Big enough that readers who do read never hit it on a busy machine, small beside kernel buffers.
const BOUND = 256 * 1024

t.test('a client that stops reading while others broadcast is dropped; the server holds at most MAX_BUFFERED_BYTES for it', async (t) => {
  const server = await startServer(t, {
    maxBufferedBytes: BOUND,
    messageMaxChars: 1000,
    messageRatePerSec: 100,
    frameBudgetPerSec: 1000,
    frameBudgetBurst: 1000,
    idleWarnMs: 600_000,
    idleKickMs: 900_000
  })
  const slow = await connect(server, await signUp(server, 'slow'))
  await slow.next('welcome')
  slow.ws.pause() // stops reading: what the server sends it piles up
  const senders: ChatClient[] = []
  for (const name of ['ann', 'ben', 'cat', 'dan']) senders.push(await connect(server, await signUp(server, name)))
  t.teardown(() => senders.forEach((s) => s.ws.close()))
  const text = '\u20ac'.repeat(1000) // 3,000 bytes: a big frame, to fill kernel buffers sooner
  let peak = 0
  let sent = 0
  const started = Date.now()
  while (server.app.chatHub.countUser('slow') > 0 && Date.now() - started < 30_000) {
    for (const s of senders) {
      s.send({ type: 'message', text })
      sent++
    }
    for (const socket of server.app.websocketServer.clients) peak = Math.max(peak, socket.bufferedAmount)
    // Readers drain their queues (the test client keeps frames: drop them).
    for (const s of senders) s.frames.length = 0
    await new Promise((r) => setTimeout(r, 10))
  }
  t.comment(`dropped after ${sent} messages (${((sent * 3000) / 1024 / 1024).toFixed(1)} MiB broadcast) in ${Date.now() - started} ms; peak unsent per socket ${peak} bytes`)
  t.equal(server.app.chatHub.countUser('slow'), 0, 'the slow reader was dropped')
  t.ok(peak <= BOUND, `no socket ever held more than ${BOUND} unsent bytes (peak ${peak})`)
  senders[0]!.send({ type: 'message', text: 'after' })
  t.match(await senders[1]!.next('message', (f) => f.text === 'after'), { user: 'ann' }, 'the others keep talking')
})
