// One address may not take the server: open TLS connections (MAX_CONNECTIONS_PER_IP), chat
// sockets (MAX_SOCKETS_PER_IP) and new connections per minute (CONNECTIONS_PER_IP_PER_MIN)
// are capped per address, and connections in total (MAX_CONNECTIONS) below the open-file
// limit. Each flood comes from its own 127.0.0.N; other addresses must still be served.
import t from 'tap'
import https from 'node:https'
import tls from 'node:tls'
import { buildApp } from '../../app.js'
import { createSelfSigned } from '../../lib/transport/tls-material.js'
import WebSocket from 'ws'
import { connect, request, signUp } from '../helpers/clients.js'
import { startServer, testConfig, type TestServer } from '../helpers/server.js'

// Each refused upgrade costs a full TLS handshake: on a busy machine the 1,000 take a while.
t.setTimeout(300_000)

type Outcome = { socket?: tls.TLSSocket; result: string }

/** A TLS connection from `localAddress`: 'open' once the handshake is done, else why not. */
function tlsOpen(server: TestServer, localAddress: string, timeoutMs = 20_000): Promise<Outcome> {
  return new Promise((resolve) => {
    // localAddress works (net.connect takes it) but is missing from tls.ConnectionOptions' type.
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: server.ca, localAddress } as tls.ConnectionOptions)
    const timer = setTimeout(() => (socket.destroy(), resolve({ result: 'hung' })), timeoutMs)
    socket.once('secureConnect', () => (clearTimeout(timer), resolve({ socket, result: 'open' })))
    socket.once('error', (err: NodeJS.ErrnoException) => (clearTimeout(timer), resolve({ result: err.code ?? err.message })))
    socket.once('close', () => (clearTimeout(timer), resolve({ result: 'closed' })))
  })
}

/** GET /api/me on a fresh connection (no keep-alive reuse) from `localAddress`. */
function freshGet(server: TestServer, localAddress: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
    const req = https.get(new URL('/api/me', server.origin), { ca: server.ca, agent: false, localAddress }, (res) => {
      let text = ''
      res.on('data', (c) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }))
    })
    req.on('error', reject)
  })
}

const tally = (results: string[]) => results.reduce<Record<string, number>>((acc, r) => ((acc[r] = (acc[r] ?? 0) + 1), acc), {})
/** How a connection closed before TLS looks to a client. */
const REFUSED_BEFORE_TLS = ['ECONNRESET', 'Client network socket disconnected before secure TLS connection was established', 'closed', 'EPIPE']

t.test('500 TLS connections from one address -> MAX_CONNECTIONS_PER_IP complete, the rest are closed before TLS; others still served', async (t) => {
  const server = await startServer(t, { maxConnectionsPerIp: 10, connectionsPerIpPerMin: 100_000 })
  const outcomes = await Promise.all(Array.from({ length: 500 }, () => tlsOpen(server, '127.0.0.2')))
  t.teardown(() => outcomes.forEach((o) => o.socket?.destroy()))
  const counts = tally(outcomes.map((o) => o.result))
  t.equal(counts.open, 10, `exactly MAX_CONNECTIONS_PER_IP handshakes: ${JSON.stringify(counts)}`)
  t.equal(counts.hung, undefined, 'no attempt is left hanging')
  for (const r of Object.keys(counts)) if (r !== 'open') t.ok(REFUSED_BEFORE_TLS.includes(r), `refused attempts end as a reset (${r})`)

  t.equal((await request(server, 'GET', '/api/me', { localAddress: '127.0.0.3' })).status, 401, '127.0.0.3 is still served')
  t.equal((await tlsOpen(server, '127.0.0.2')).result !== 'open', true, 'the flooding address is still at its cap')
  outcomes.find((o) => o.socket)!.socket!.destroy()
  let again: Outcome = { result: 'none' }
  for (let i = 0; i < 50 && again.result !== 'open'; i++) {
    await new Promise((r) => setTimeout(r, 20))
    again = await tlsOpen(server, '127.0.0.2')
  }
  t.equal(again.result, 'open', 'a closed connection frees its slot')
  again.socket?.destroy()
})

t.test('a 1,000-socket chat flood from one address -> MAX_SOCKETS_PER_IP open, the rest 429 too_many_connections or closed; others still chat', async (t) => {
  const server = await startServer(t, {
    maxSocketsPerIp: 5,
    maxSocketsPerUser: 1000,
    maxConnectionsPerIp: 10,
    connectionsPerIpPerMin: 100_000,
    // The flood may take a while on a busy machine: keep the idle reaper out of it.
    idleWarnMs: 600_000,
    idleKickMs: 1_200_000
  })
  const cookie = await signUp(server, 'mallory')
  const opened: WebSocket[] = []
  // One client TLS context for all (building one per socket would be most of the test's time).
  const secureContext = tls.createSecureContext({ ca: server.ca })
  const attempt = () =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(server.origin.replace('https:', 'wss:') + '/ws', {
        secureContext,
        origin: server.origin,
        headers: { cookie },
        localAddress: '127.0.0.4'
      } as WebSocket.ClientOptions)
      ws.once('open', () => (opened.push(ws), resolve('open')))
      ws.once('unexpected-response', (_req, res) => {
        let text = ''
        res.on('data', (c) => (text += c))
        res.on('end', () => resolve(`${res.statusCode} ${JSON.parse(text).code}`))
      })
      ws.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    })
  const results = await Promise.all(Array.from({ length: 1000 }, attempt))
  t.teardown(() => opened.forEach((ws) => ws.terminate()))
  const counts = tally(results)
  t.equal(counts.open, 5, `exactly MAX_SOCKETS_PER_IP sockets: ${JSON.stringify(counts)}`)
  t.ok(counts['429 too_many_connections']! > 0, 'the upgrades that got through TLS are refused with 429 too_many_connections')
  for (const r of Object.keys(counts)) {
    if (r !== 'open' && r !== '429 too_many_connections') t.ok(REFUSED_BEFORE_TLS.includes(r), `the others were closed before TLS (${r})`)
  }
  t.equal(server.app.chatHub.size, 5)

  const bob = await connect(server, await signUp(server, 'bob'), { localAddress: '127.0.0.5' })
  t.teardown(() => bob.ws.terminate())
  t.match(await bob.next('welcome'), { user: 'bob' }, 'another address still gets a chat socket')
  const refused = await connect(server, cookie, { localAddress: '127.0.0.4' }).catch((e) => e)
  t.equal(refused.status, 429)
  t.match(JSON.parse(refused.body), { code: 'too_many_connections', message: /per address/ })
})

t.test('new connections beyond CONNECTIONS_PER_IP_PER_MIN -> 429 rate_limited with Retry-After and Connection: close; others still served', async (t) => {
  const server = await startServer(t, { connectionsPerIpPerMin: 5 })
  for (let i = 0; i < 5; i++) t.equal((await freshGet(server, '127.0.0.6')).status, 401, `connection ${i + 1} is served`)
  const limited = await freshGet(server, '127.0.0.6')
  t.equal(limited.status, 429)
  t.equal(limited.body.code, 'rate_limited')
  t.ok(Number(limited.headers['retry-after']) >= 1 && Number(limited.headers['retry-after']) <= 12, `Retry-After: ${limited.headers['retry-after']}`)
  t.equal(limited.headers.connection, 'close')
  t.equal((await freshGet(server, '127.0.0.7')).status, 401, 'another address is served')
})

t.test('connections beyond MAX_CONNECTIONS in total are closed before TLS, whatever their address', async (t) => {
  const server = await startServer(t, { maxConnections: 6, connectionsPerIpPerMin: 100_000 })
  const held = await Promise.all([8, 9, 10, 11, 12, 13].map((n) => tlsOpen(server, `127.0.0.${n}`)))
  t.teardown(() => held.forEach((o) => o.socket?.destroy()))
  t.same(held.map((o) => o.result), Array(6).fill('open'))
  const beyond = await tlsOpen(server, '127.0.0.14')
  beyond.socket?.destroy()
  t.ok(REFUSED_BEFORE_TLS.includes(beyond.result), `the 7th is closed (${beyond.result})`)
  held[0]!.socket!.destroy()
  let again: Outcome = { result: 'none' }
  for (let i = 0; i < 50 && again.result !== 'open'; i++) {
    await new Promise((r) => setTimeout(r, 20))
    again = await tlsOpen(server, '127.0.0.14')
  }
  t.equal(again.result, 'open', 'a freed slot is usable')
  again.socket?.destroy()
})

t.test('MAX_CONNECTIONS above the open-file limit (less its reserve) stops start-up with a clear message', async (t) => {
  const config = testConfig(t.testdir({}), { maxConnections: 10_000_000 })
  await t.rejects(buildApp(config, createSelfSigned()), /MAX_CONNECTIONS \(10000000\) must stay at or below \d+: the open-file limit is \d+/)
})
