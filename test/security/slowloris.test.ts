// Slow or stalled clients cannot hold connections: the TLS handshake must finish within
// HANDSHAKE_TIMEOUT_MS and a whole request (headers and body) within REQUEST_TIMEOUT_MS.
// Small configured limits here; the production values are checked just as often (app.ts).
import t from 'tap'
import net from 'node:net'
import tls from 'node:tls'
import { timeoutCheckInterval } from '../../app.js'
import { startServer, type TestServer } from '../helpers/server.js'

const REQUEST_TIMEOUT_MS = 1000
const HANDSHAKE_TIMEOUT_MS = 600
/** Far below Node's unfixed behaviour (limit + up to 30 s), generous for a busy machine. */
const SLACK_MS = 1500

/** Opens a TLS connection, then drips `chunks` one every `everyMs`; resolves with what the server said and when it closed. */
function drip(server: TestServer, head: string, chunk: string, everyMs: number, giveUpMs = 8000) {
  return new Promise<{ ms: number; received: string; closedByServer: boolean }>((resolve) => {
    const started = Date.now()
    let received = ''
    let timer: NodeJS.Timeout | undefined
    // The drip starts once TLS is up, so no chunk can overtake the head on a slow handshake.
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: server.ca }, () => {
      socket.write(head)
      timer = setInterval(() => socket.writable && socket.write(chunk), everyMs)
    })
    const giveUp = setTimeout(() => done(false), giveUpMs)
    const done = (closedByServer: boolean) => {
      clearInterval(timer)
      clearTimeout(giveUp)
      socket.destroy()
      resolve({ ms: Date.now() - started, received, closedByServer })
    }
    socket.on('data', (d) => (received += d.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => done(true))
  })
}

t.test('slow headers (one header line every 100 ms, never finished) -> 408 and closed within REQUEST_TIMEOUT_MS', async (t) => {
  const server = await startServer(t, { requestTimeoutMs: REQUEST_TIMEOUT_MS })
  const r = await drip(server, 'GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n', 100)
  t.ok(r.closedByServer, `closed by the server after ${r.ms} ms`)
  t.ok(r.ms >= REQUEST_TIMEOUT_MS * 0.9, `not before the limit (${r.ms} ms)`)
  t.ok(r.ms <= REQUEST_TIMEOUT_MS + SLACK_MS, `within the limit plus slack (${r.ms} ms)`)
  t.match(r.received, /^HTTP\/1\.1 408 /, JSON.stringify(r.received.slice(0, 200)))
})

t.test('slow body (one byte every 100 ms of a declared 1 KiB) -> 408 and closed within REQUEST_TIMEOUT_MS', async (t) => {
  const server = await startServer(t, { requestTimeoutMs: REQUEST_TIMEOUT_MS })
  const head =
    'POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1024\r\n\r\n{'
  const r = await drip(server, head, ' ', 100)
  t.ok(r.closedByServer, `closed by the server after ${r.ms} ms`)
  t.ok(r.ms >= REQUEST_TIMEOUT_MS * 0.9, `not before the limit (${r.ms} ms)`)
  t.ok(r.ms <= REQUEST_TIMEOUT_MS + SLACK_MS, `within the limit plus slack (${r.ms} ms)`)
  t.match(r.received, /^HTTP\/1\.1 408 /, JSON.stringify(r.received.slice(0, 200)))
})

t.test('a TLS connection that never sends a request is closed within REQUEST_TIMEOUT_MS', async (t) => {
  const server = await startServer(t, { requestTimeoutMs: REQUEST_TIMEOUT_MS })
  const r = await drip(server, '', '', 100)
  t.ok(r.closedByServer, `closed by the server after ${r.ms} ms`)
  t.ok(r.ms <= REQUEST_TIMEOUT_MS + SLACK_MS, `within the limit plus slack (${r.ms} ms)`)
})

t.test('a stalled TLS handshake (TCP open, no ClientHello) is closed within HANDSHAKE_TIMEOUT_MS', async (t) => {
  const server = await startServer(t, { handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS })
  const started = Date.now()
  const socket = net.connect(server.port, '127.0.0.1')
  socket.on('error', () => {})
  const closed = await Promise.race([
    new Promise<boolean>((resolve) => socket.on('close', () => resolve(true))),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 8000))
  ])
  socket.destroy()
  const ms = Date.now() - started
  t.ok(closed, `closed by the server after ${ms} ms`)
  t.ok(ms >= HANDSHAKE_TIMEOUT_MS * 0.9 && ms <= HANDSHAKE_TIMEOUT_MS + SLACK_MS, `near the limit (${ms} ms)`)
})

t.test('a finished request within the limit is served normally', async (t) => {
  const server = await startServer(t, { requestTimeoutMs: REQUEST_TIMEOUT_MS })
  const r = await drip(server, 'GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', '', 1000, 3000)
  t.match(r.received, /^HTTP\/1\.1 401 /)
})

t.test('the timeouts are checked at a tenth of the limit (at most every second), not every 30 s', async (t) => {
  t.equal(timeoutCheckInterval(30_000), 1000, 'production: 30 s holds within 31 s')
  t.equal(timeoutCheckInterval(1000), 100)
  t.equal(timeoutCheckInterval(100), 25)
})
