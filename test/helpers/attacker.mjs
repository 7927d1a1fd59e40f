// Attack clients for the security tests, run in a child process so their own work does not
// load the event loop (or count in the CPU time) of the server under test. Plain JS, run by node.
// First IPC message: { url, ca, origin, cookie, sockets, durationMs, frame, read }
//   frame: the text of every frame sent; read: false = never read a byte (paused from the start).
// Posts { connections, closes: { code: n }, sent } when done; stops by itself after durationMs.
import { once } from 'node:events'
import WebSocket from 'ws'

const [options] = await once(process, 'message')
const { url, ca, origin, cookie, sockets, durationMs, frame, read } = options
// The clock starts at the first open socket (starting up can take seconds on a busy machine).
let until = Date.now() + durationMs + 30_000
const stats = { connections: 0, closes: {}, sent: 0 }
const open = new Set()

function flood(ws) {
  const pump = () => {
    if (ws.readyState !== WebSocket.OPEN || Date.now() > until) return
    // Keep the client's own queue short: what matters is what the server holds.
    for (let i = 0; i < 64 && ws.bufferedAmount < 256 * 1024; i++) {
      ws.send(frame)
      stats.sent++
    }
    setImmediate(pump)
  }
  pump()
}

function connect(slot) {
  return new Promise((resolve) => {
    if (Date.now() > until) return resolve()
    const ws = new WebSocket(url, { ca, origin, headers: { cookie } })
    open.add(ws)
    ws.on('open', () => {
      // Opened after the sweep at the end (its handshake was under way then): nothing would ever
      // close it, and a paused socket that sends nothing would hold the run open for the fallback.
      if (stats.connections > 0 && Date.now() > until) return ws.terminate()
      if (stats.connections++ === 0) {
        until = Date.now() + durationMs
        setTimeout(() => {
          for (const ws of open) ws.terminate()
        }, durationMs).unref()
        process.send({ started: true })
      }
      if (!read) ws.pause()
      flood(ws)
    })
    ws.on('error', () => {})
    ws.on('close', (code) => {
      open.delete(ws)
      stats.closes[code] = (stats.closes[code] ?? 0) + 1
      // Refused upgrades (the server still holds the old socket) come back fast: pace them.
      setTimeout(() => connect(slot).then(resolve), 20)
    })
  })
}

const runs = []
for (let i = 0; i < sockets; i++) runs.push(connect(i))
await Promise.race([Promise.all(runs), new Promise((r) => setTimeout(r, durationMs + 32_000).unref())])
process.send(stats, () => process.exit(0))
