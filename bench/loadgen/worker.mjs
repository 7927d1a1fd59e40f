// One load-generator process. The orchestrator (bench/run.mjs) forks several and drives them
// over IPC: log users in, open/close sockets, join rooms, send at a pace, count deliveries and
// their latency. Every command answers; every wait is bounded.
//
// The hot path is a delivery: a frame read in place (loadgen/rawsocket.mjs) is counted when its
// marker byte carries the current step's letter. Only sampled clients (1 in SAMPLE_EVERY, and
// every client that has sent) also read the send time after the marker for the latency; no
// client builds a string or parses JSON for a delivery (loadgen/receive.mjs). Of the rest, only
// the frames acted on (welcome, joined, errors, Engine.IO packets) are parsed (loadgen/protocols.mjs).
import { createSecureContext } from 'node:tls'
import { Agent, request } from 'node:https'
import { PROTOCOLS } from './protocols.mjs'
import { openRawSocket, readStats } from './rawsocket.mjs'
import { stepByte, messageText } from './frames.mjs'
import { freshCounters, nowUs, receive } from './receive.mjs'
import { firstDue } from './pacing.mjs'

/** 1 client in this many (by id) measures latency; the rest only count. */
export const SAMPLE_EVERY = 10

let target // { kind, port, ca }
let secureContext // built once: a context per connection would parse the CA each time
let readBatchMs = 0
const cookies = new Map() // user -> cookie
const sessions = new Map() // client id -> TLS session, for resumption
const clients = new Map() // client id -> client
let step = -1
// proto: the server's protocol; tag: stepByte(step), the byte after the marker that counts.
const state = { proto: undefined, tag: 0, counters: freshCounters() }

// ---- HTTPS setup (Parley accounts) ----

const agents = new Map()
function postJson(path, body, addr) {
  let agent = agents.get(addr)
  if (!agent) agents.set(addr, (agent = new Agent({ keepAlive: true, maxSockets: 8, secureContext, localAddress: addr })))
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

/**
 * POST, retried (bounded) while the server answers 503 busy (its hash queue is full, nothing was
 * done), or when a kept-alive connection was reset: the server closed it as the request went
 * out (seen under valgrind, --instructions). Register and login may be sent twice.
 */
async function postRetrying(path, body, addr) {
  for (let attempt = 0; ; attempt++) {
    const res = await postJson(path, body, addr).catch((err) => {
      if (err.code !== 'ECONNRESET' || attempt >= 3) throw err
      return { status: 503 }
    })
    if (res.status !== 503 || attempt >= 20) return res
    await new Promise((r) => setTimeout(r, 20 + 10 * attempt))
  }
}

async function login({ users, password, concurrency }) {
  const errors = await pool(users, concurrency, async ({ user, addr }) => {
    const reg = await postRetrying('/api/register', { username: user, password }, addr)
    if (reg.status !== 201 && reg.status !== 409) throw new Error(`register ${user}: ${reg.status}`)
    const res = await postRetrying('/api/login', { username: user, password }, addr)
    const cookie = res.headers['set-cookie']?.[0]?.split(';')[0]
    if (res.status !== 200 || !cookie) throw new Error(`login ${user}: ${res.status}`)
    cookies.set(user, cookie)
  })
  for (const agent of agents.values()) agent.destroy()
  agents.clear()
  return { loggedIn: cookies.size, errors: errors.slice(0, 5), failed: errors.length }
}

// ---- sockets ----

async function openOne({ id, user, addr, room }, resume, timeoutMs) {
  const t0 = performance.now()
  let client
  // The first message (Parley's welcome) may come with the 101, before the socket resolves.
  const ready = new Promise((resolve, reject) => {
    const pending = { onReady: resolve }
    openRawSocket(
      {
        port: target.port,
        secureContext,
        localAddress: addr,
        session: resume ? sessions.get(id) : undefined,
        path: state.proto.path(room),
        headers: state.proto.headers(target.port, cookies.get(user)),
        timeoutMs,
        onSession: (s) => sessions.set(id, s)
      },
      (c, buf, start, end) => {
        if (!c.onReady && !c.ready) Object.assign(c, pending)
        receive(state, c, buf, start, end)
      }
    ).then((c) => {
      client = c
      if (!c.onReady && !c.ready) Object.assign(c, pending)
      if (state.proto.readyOnOpen) resolve()
    }, reject)
  })
  let timer
  try {
    await Promise.race([ready, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('ready timeout')), Math.max(1, timeoutMs - (performance.now() - t0)))))])
  } catch (err) {
    client?.terminate()
    throw err
  } finally {
    clearTimeout(timer)
  }
  const sample = id % SAMPLE_EVERY === 0
  // Counting clients read in batches (loadgen/rawsocket.mjs); sampled ones at once, for their latency.
  Object.assign(client, { id, room, user, sample, batchMs: sample ? 0 : readBatchMs, ready: true, onReady: undefined })
  client.onClose = () => {
    clients.delete(id)
    client.closed?.()
  }
  clients.set(id, client)
  return client.resumed
}

async function open({ list, concurrency, resume, timeoutMs }) {
  let resumed = 0
  const t0 = performance.now()
  const errors = await pool(list, concurrency, async (c) => {
    if (await openOne(c, resume, timeoutMs)) resumed++
  })
  return { opened: list.length - errors.length, failed: errors.length, resumed, errors: [...new Set(errors)].slice(0, 5), ms: performance.now() - t0 }
}

/** Closes every client whose id is at least fromId (all by default), each within timeoutMs. */
async function closeAll({ timeoutMs, fromId = 0 }) {
  const all = [...clients.values()].filter((c) => c.id >= fromId)
  await Promise.all(
    all.map(
      (c) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => (c.terminate(), resolve()), timeoutMs)
          c.closed = () => (clearTimeout(timer), resolve())
          c.close()
        })
    )
  )
  return { closed: all.length, open: clients.size }
}

/** Parley rooms: each listed client creates or joins its room; a server without rooms says so. */
async function joinRooms({ list, cap, timeoutMs }) {
  const errors = await pool(list, 32, (item) => {
    const c = clients.get(item.id)
    if (!c) return Promise.reject(new Error('not connected'))
    // Parsed in full while joining: a 'joined' frame carries the room's recent messages, markers included.
    c.ready = false
    const done = () => {
      clearTimeout(timer)
      c.joined = c.joinFailed = undefined
      c.ready = true
    }
    let timer
    return new Promise((resolve, reject) => {
      timer = setTimeout(() => {
        done()
        reject(new Error('join timeout'))
      }, timeoutMs)
      c.joined = (ev) => {
        if (ev.room !== item.room) return
        done()
        c.room = item.room
        resolve()
      }
      const ask = () => c.send(JSON.stringify(item.create ? { type: 'create', room: item.room, cap } : { type: 'join', room: item.room }))
      c.joinFailed = (ev) => {
        if (ev.code === 'rate_limited' && ev.retryInMs >= 0) return void setTimeout(ask, ev.retryInMs + 5)
        done()
        reject(new Error(ev.code))
      }
      ask()
    })
  })
  return { joined: list.length - errors.length, errors: [...new Set(errors)].slice(0, 5), failed: errors.length }
}

// ---- paced sending ----

let pacer
/** Client id -> when it last sent a benchmark message, over every step. */
const lastSentAt = new Map()
function startLoad({ step: s, senders, periodMs, durationMs }) {
  step = s
  state.tag = stepByte(s)
  state.counters = freshCounters()
  const { counters } = state
  const t0 = performance.now()
  // Each sender starts at a random phase (never within a period of its last send, earlier steps
  // included) and then keeps at least periodMs between its own sends.
  const due = senders.map((id) => ({ id, at: firstDue(t0, periodMs, lastSentAt.get(id), Math.random()) }))
  for (const id of senders) {
    const c = clients.get(id)
    if (c) (c.sample = true), (c.batchMs = 0) // a sender's own echo is always timed
  }
  return new Promise((resolve) => {
    const tick = () => {
      const t = performance.now()
      if (t - t0 >= durationMs) {
        clearInterval(pacer)
        return resolve({ sent: counters.sent })
      }
      for (const d of due) {
        if (d.at > t || d.at - t0 >= durationMs) continue
        const c = clients.get(d.id)
        if (c) {
          c.send(state.proto.message(messageText(s, nowUs()), c.room))
          counters.sent++
          const sentAt = performance.now()
          lastSentAt.set(d.id, sentAt)
          d.at = sentAt + periodMs
        } else d.at = Infinity
      }
    }
    pacer = setInterval(tick, 5)
  })
}

function stats() {
  const { counters } = state
  return { received: counters.received, refused: counters.refused, errors: counters.errors, sent: counters.sent }
}
function collect() {
  const { counters } = state
  const out = { ...stats(), reads: readStats.reads - readsAtStart, sampled: counters.sampled, stale: counters.stale, hist: counters.hist, errorCodes: counters.errorCodes, elu: performance.eventLoopUtilization(eluStart).utilization }
  step = -1
  state.tag = 0
  state.counters = freshCounters()
  return out
}
let eluStart = performance.eventLoopUtilization()
let readsAtStart = 0

const COMMANDS = {
  target: (t) => {
    target = t
    state.proto = PROTOCOLS[t.kind]
    secureContext = createSecureContext({ ca: t.ca })
    readBatchMs = t.readBatchMs ?? 0
    cookies.clear()
    sessions.clear()
    return { ok: true }
  },
  login,
  open,
  closeAll,
  joinRooms,
  startLoad: (a) => {
    eluStart = performance.eventLoopUtilization()
    readsAtStart = readStats.reads
    return startLoad(a)
  },
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
