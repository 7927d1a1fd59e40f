// One load-generator process. The orchestrator (bench/run.mjs) forks several and drives them
// over IPC: log users in, open/close sockets, join rooms, send at a pace, count deliveries and
// their latency. Every command answers; every wait is bounded.
import { connect as tlsConnect } from 'node:tls'
import { Agent, request } from 'node:https'
import { WebSocket } from 'ws'
import { PROTOCOLS } from './protocols.mjs'
import { createHistogram, record } from '../lib/stats.mjs'

const now = () => performance.timeOrigin + performance.now() // ms since the epoch, sub-ms, same clock in every process

let proto
let target // { kind, port, ca }
const cookies = new Map() // user -> cookie
const sessions = new Map() // client id -> TLS session, for resumption
const clients = new Map() // client id -> client
let step = -1
let counters = freshCounters()

function freshCounters() {
  return { received: 0, refused: 0, errors: 0, sent: 0, hist: createHistogram(), errorCodes: {} }
}

// ---- HTTPS setup (Parley accounts) ----

const agents = new Map()
function postJson(path, body, addr) {
  let agent = agents.get(addr)
  if (!agent) agents.set(addr, (agent = new Agent({ keepAlive: true, maxSockets: 4, ca: target.ca, localAddress: addr })))
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), origin: `https://127.0.0.1:${target.port}` },
        timeout: 20_000
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }))
      }
    )
    req.on('timeout', () => req.destroy(new Error(`timeout on ${path}`)))
    req.on('error', reject)
    req.end(payload)
  })
}

async function pool(items, concurrency, fn) {
  let next = 0
  const errors = []
  const run = async () => {
    while (next < items.length) {
      const item = items[next++]
      try {
        await fn(item)
      } catch (err) {
        errors.push(String(err.message ?? err))
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, run))
  return errors
}

async function login({ users, password, concurrency }) {
  const errors = await pool(users, concurrency, async ({ user, addr }) => {
    const reg = await postJson('/api/register', { username: user, password }, addr)
    if (reg.status !== 201 && reg.status !== 409) throw new Error(`register ${user}: ${reg.status}`)
    const res = await postJson('/api/login', { username: user, password }, addr)
    const cookie = res.headers['set-cookie']?.[0]?.split(';')[0]
    if (res.status !== 200 || !cookie) throw new Error(`login ${user}: ${res.status}`)
    cookies.set(user, cookie)
  })
  for (const agent of agents.values()) agent.destroy()
  agents.clear()
  return { loggedIn: cookies.size, errors: errors.slice(0, 5), failed: errors.length }
}

// ---- sockets ----

function onData(client, data) {
  let ev
  try {
    ev = proto.parse(data, client.ws)
  } catch {
    counters.errors++
    return
  }
  switch (ev.kind) {
    case 'message': {
      const t = now()
      const sep = ev.text.indexOf(':')
      if (Number(ev.text.slice(0, sep)) !== step) return // a late frame of an earlier step
      counters.received++
      record(counters.hist, t - Number(ev.text.slice(sep + 1)))
      return
    }
    case 'ready':
      return client.ready?.()
    case 'joined':
      return client.joined?.(ev)
    case 'refused':
      // While joining, a refusal is the join's own limit (the caller retries); otherwise a message was refused.
      if (client.joinFailed) return client.joinFailed(ev)
      counters.refused++
      return
    case 'error':
      counters.errors++
      counters.errorCodes[ev.code] = (counters.errorCodes[ev.code] ?? 0) + 1
      return client.joinFailed?.(ev)
  }
}

function openOne({ id, user, addr, room }, resume, timeoutMs) {
  return new Promise((resolve, reject) => {
    const session = resume ? sessions.get(id) : undefined
    let tlsSocket
    const ws = new WebSocket(proto.url(target.port, room), {
      headers: proto.headers(target.port, cookies.get(user)),
      perMessageDeflate: false,
      handshakeTimeout: timeoutMs,
      createConnection: (opts) => {
        opts.path = undefined
        tlsSocket = tlsConnect({ ...opts, servername: '', ca: target.ca, localAddress: addr, session })
        tlsSocket.on('session', (s) => sessions.set(id, s))
        return tlsSocket
      }
    })
    const client = { id, ws, room, user }
    const timer = setTimeout(() => fail(new Error('ready timeout')), timeoutMs)
    const fail = (err) => {
      clearTimeout(timer)
      ws.terminate()
      reject(err)
    }
    client.ready = () => {
      clearTimeout(timer)
      client.ready = undefined
      clients.set(id, client)
      resolve(tlsSocket?.isSessionReused() ?? false)
    }
    ws.on('message', (data) => onData(client, data))
    ws.on('open', () => proto.readyOnOpen && client.ready?.())
    ws.on('unexpected-response', (_req, res) => fail(new Error(`upgrade refused: ${res.statusCode}`)))
    ws.on('error', (err) => fail(err))
    ws.on('close', () => {
      clients.delete(id)
      client.closed?.()
    })
  })
}

async function open({ list, concurrency, resume, timeoutMs }) {
  let resumed = 0
  const t0 = performance.now()
  const errors = await pool(list, concurrency, async (c) => {
    if (await openOne(c, resume, timeoutMs)) resumed++
  })
  return { opened: list.length - errors.length, failed: errors.length, resumed, errors: [...new Set(errors)].slice(0, 5), ms: performance.now() - t0 }
}

async function closeAll({ timeoutMs }) {
  const all = [...clients.values()]
  await Promise.all(
    all.map(
      (c) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => (c.ws.terminate(), resolve()), timeoutMs)
          c.closed = () => (clearTimeout(timer), resolve())
          c.ws.close(1000)
        })
    )
  )
  return { closed: all.length, open: clients.size }
}

/** Parley rooms: each listed client creates or joins its room; a server without rooms says so. */
async function joinRooms({ list, cap, timeoutMs }) {
  const errors = await pool(list, 16, (item) => {
    const c = clients.get(item.id)
    if (!c) return Promise.reject(new Error('not connected'))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        c.joined = c.joinFailed = undefined
        reject(new Error('join timeout'))
      }, timeoutMs)
      c.joined = (ev) => {
        if (ev.room !== item.room) return
        clearTimeout(timer)
        c.joined = c.joinFailed = undefined
        c.room = item.room
        resolve()
      }
      const ask = () => c.ws.send(JSON.stringify(item.create ? { type: 'create', room: item.room, cap } : { type: 'join', room: item.room }))
      c.joinFailed = (ev) => {
        if (ev.code === 'rate_limited' && ev.retryInMs >= 0) return void setTimeout(ask, ev.retryInMs + 5)
        clearTimeout(timer)
        c.joined = c.joinFailed = undefined
        reject(new Error(ev.code))
      }
      ask()
    })
  })
  return { joined: list.length - errors.length, errors: [...new Set(errors)].slice(0, 5), failed: errors.length }
}

// ---- paced sending ----

let pacer
function startLoad({ step: s, senders, periodMs, durationMs }) {
  step = s
  counters = freshCounters()
  const t0 = now()
  // Each sender starts at a random phase and then keeps at least periodMs between its own sends.
  const due = senders.map((id) => ({ id, at: t0 + Math.random() * periodMs }))
  return new Promise((resolve) => {
    const tick = () => {
      const t = now()
      if (t - t0 >= durationMs) {
        clearInterval(pacer)
        return resolve({ sent: counters.sent })
      }
      for (const d of due) {
        if (d.at > t || d.at - t0 >= durationMs) continue
        const c = clients.get(d.id)
        if (c) {
          const ts = now()
          c.ws.send(proto.message(`${s}:${ts.toFixed(2)}`, c.room))
          counters.sent++
          d.at = ts + periodMs
        } else d.at = Infinity
      }
    }
    pacer = setInterval(tick, 5)
  })
}

const stats = () => ({ received: counters.received, refused: counters.refused, errors: counters.errors, sent: counters.sent })
function collect() {
  const out = { ...stats(), hist: counters.hist, errorCodes: counters.errorCodes }
  step = -1
  counters = freshCounters()
  return out
}

const COMMANDS = {
  target: (t) => {
    target = t
    proto = PROTOCOLS[t.kind]
    cookies.clear()
    sessions.clear()
    return { ok: true }
  },
  login,
  open,
  closeAll,
  joinRooms,
  startLoad,
  stats,
  collect,
  count: () => ({ open: clients.size })
}

process.on('message', async ({ rid, cmd, args }) => {
  try {
    const result = await COMMANDS[cmd](args ?? {})
    process.send({ rid, result })
  } catch (err) {
    process.send({ rid, error: String(err?.stack ?? err) })
  }
})
process.on('disconnect', () => process.exit(0))
