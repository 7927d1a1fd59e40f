import t from 'tap'
import net from 'node:net'
import { connect, logIn, refusal, request, signUp } from '../helpers/clients.js'
import { startServer } from '../helpers/server.js'

t.test('no session -> 401 and no socket', async (t) => {
  const server = await startServer(t)
  t.equal(await refusal(connect(server, undefined)), 401)
  t.equal(await refusal(connect(server, '__Host-parley=forged')), 401)
  t.equal(server.app.chatHub.size, 0)
})

t.test('foreign or missing Origin -> 403 and no socket, even with a valid session', async (t) => {
  const server = await startServer(t, { allowedOrigins: ['https://partner.example'] })
  const cookie = await signUp(server, 'alice')
  const refused = await connect(server, cookie, { origin: 'https://evil.example' }).catch((e) => e)
  t.equal(refused.status, 403)
  t.match(JSON.parse(refused.body), { code: 'forbidden_origin' })
  t.equal(await refusal(connect(server, cookie, { origin: null })), 403, 'no Origin header')
  t.equal(await refusal(connect(server, cookie, { origin: server.origin.replace('https:', 'http:') })), 403)
  t.equal(server.app.chatHub.size, 0)
  const partner = await connect(server, cookie, { origin: 'https://partner.example' })
  t.match(await partner.next('welcome'), { user: 'alice' }, 'ALLOWED_ORIGINS may connect')
  partner.ws.close()
})

t.test('ws:// (no TLS) to the port is never upgraded', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'alice')
  const socket = net.connect(server.port, '127.0.0.1')
  socket.write(
    'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: ${server.origin}\r\nCookie: ${cookie}\r\n\r\n`
  )
  let received = ''
  socket.on('data', (d) => (received += d.toString('latin1')))
  await new Promise<void>((resolve) => socket.on('close', () => resolve()))
  t.notMatch(received, /101 Switching Protocols/)
  t.match(received, /^HTTP\/1\.1 400 /)
  t.equal(server.app.chatHub.size, 0)
})

t.test('logout closes the session\'s open sockets with 4001 and refuses the old cookie', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'alice')
  const tab1 = await connect(server, cookie)
  const tab2 = await connect(server, cookie)
  const bob = await connect(server, await signUp(server, 'bob'))
  t.teardown(() => bob.ws.close())
  await tab1.next('welcome')

  t.equal((await request(server, 'POST', '/api/logout', { cookie })).status, 204)
  t.same(await tab1.waitClose(), { code: 4001, reason: 'logout' })
  t.same(await tab2.waitClose(), { code: 4001, reason: 'logout' })
  t.equal(await refusal(connect(server, cookie)), 401)
  bob.send({ type: 'message', text: 'still on' })
  t.match(await bob.next('message'), { text: 'still on' }, 'other users are untouched')
})

t.test('a user may hold MAX_SOCKETS_PER_USER sockets; the next upgrade gets 429', async (t) => {
  const server = await startServer(t, { maxSocketsPerUser: 2 })
  const cookie = await signUp(server, 'alice')
  const first = await connect(server, cookie)
  const second = await connect(server, await logIn(server, 'alice'))
  const refused = await connect(server, cookie).catch((e) => e)
  t.equal(refused.status, 429)
  t.match(JSON.parse(refused.body), { code: 'too_many_connections' })
  t.equal(server.app.chatHub.size, 2)
  first.ws.close()
  await first.waitClose()
  for (let i = 0; i < 100 && server.app.chatHub.size > 1; i++) await new Promise((r) => setTimeout(r, 10))
  const again = await connect(server, cookie)
  t.match(await again.next('welcome'), { user: 'alice' }, 'a freed slot can be used')
  again.ws.close()
  second.ws.close()
})

t.test('a plain HTTPS GET /ws gets 426 upgrade_required', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'alice')
  const res = await request(server, 'GET', '/ws', { cookie, headers: { origin: server.origin } })
  t.equal(res.status, 426)
  t.equal(res.body.code, 'upgrade_required')
})
