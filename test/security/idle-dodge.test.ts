// Attack: keep a session alive without activity. Defence: the idle clock belongs to the session;
// connecting is not activity, and a session without sockets still ends at IDLE_KICK_MS.
import t from 'tap'
import { connect, refusal, request, signUp, type ChatClient } from '../helpers/clients.js'
import { startServer } from '../helpers/server.js'

const WARN = 300
const KICK = 800

t.test('a silent socket plus a second one reconnecting every 100 ms -> still kicked at IDLE_KICK_MS', async (t) => {
  const server = await startServer(t, { idleWarnMs: WARN, idleKickMs: KICK })
  const start = Date.now()
  const cookie = await signUp(server, 'mallory')
  const silent = await connect(server, cookie)
  let stop = false
  const reconnecting = (async () => {
    while (!stop) {
      let c: ChatClient
      try {
        c = await connect(server, cookie)
      } catch {
        return // refused: the session is over
      }
      await new Promise((r) => setTimeout(r, 100))
      c.ws.close()
      await c.waitClose().catch(() => undefined)
    }
  })()
  t.teardown(() => void (stop = true))
  t.same(await silent.waitClose(KICK + 2000), { code: 4000, reason: 'idle' }, 'the silent socket is kicked')
  const after = Date.now() - start
  t.ok(after < KICK + 1500, `kicked after ${after} ms although a socket reconnected all along`)
  stop = true
  await reconnecting
  t.equal(await refusal(connect(server, cookie)), 401, 'the session has ended')
})

t.test('a session whose sockets all closed -> ends IDLE_KICK_MS after its last activity', async (t) => {
  const server = await startServer(t, { idleWarnMs: WARN, idleKickMs: KICK })
  const cookie = await signUp(server, 'alice')
  const alice = await connect(server, cookie)
  await alice.next('welcome')
  alice.ws.close()
  await alice.waitClose()
  t.equal((await request(server, 'GET', '/api/me', { cookie })).status, 200, 'live right after the close')
  await new Promise((r) => setTimeout(r, KICK + 500))
  t.equal((await request(server, 'GET', '/api/me', { cookie })).status, 401, 'ended without any socket')
  t.equal(await refusal(connect(server, cookie)), 401)
})

t.test('a session that never connects -> ends at IDLE_KICK_MS; GET /api/me is not activity', async (t) => {
  const server = await startServer(t, { idleWarnMs: WARN, idleKickMs: KICK })
  const cookie = await signUp(server, 'alice')
  const poll = setInterval(() => void request(server, 'GET', '/api/me', { cookie }).catch(() => undefined), 100)
  t.teardown(() => clearInterval(poll))
  await new Promise((r) => setTimeout(r, KICK + 500))
  t.equal((await request(server, 'GET', '/api/me', { cookie })).status, 401)
})
