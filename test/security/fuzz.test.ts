// A protocol fuzzer: thousands of random and mutated frames over a real socket. Every answer
// must be a documented frame, every close a documented code, and memory must stay bounded.
import t from 'tap'
import fc from 'fast-check'
import WebSocket from 'ws'
import { Compile } from 'typebox/compile'
import { startServer, type TestServer } from '../helpers/server.js'
import { signUp } from '../helpers/clients.js'
import { heldBytes } from '../helpers/attack.js'
import { ServerFrameSchema } from '../../schemas/frames.js'
import { CLOSE } from '../../lib/chat/protocol/protocol.js'
import { prepareText } from '../../lib/chat/rooms/message-text.js'

const SEED = 20261129
const TEXT_FRAMES = 10_000
const RAW_FRAMES = 150
const MiB = 1024 * 1024
const isServerFrame = Compile(ServerFrameSchema)
const DOCUMENTED_CLOSES = new Set<number>(Object.values(CLOSE).map((c) => c.code))

const MARKS = ['\u0301', '\u0316', '\u0327', '\u0345', '\u0308', '\u20e3', '\ufe0f']
const odd = fc.constantFrom('\u200b', '\u2060', '\u3164', '\u2800', '\u00ad', '\u2028', '\u2029', '\ud800', '\udfff', '\u202e', '\u0000', '\t', '\n', ' ', '\u3000', '\ufeff', ...MARKS, '\u{1F468}\u200D\u{1F469}', '\u{1F1EB}\u{1F1F7}')
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.array(fc.oneof(odd, fc.string({ unit: 'grapheme-ascii', maxLength: 3 })), { maxLength: 120 }).map((parts) => parts.join('')),
  fc.nat({ max: 1500 }).map((n) => 'a' + Array.from({ length: n }, (_, i) => MARKS[i % 5]).join(''))
)
/** Valid message frames with their text fuzzed, then possibly broken in shape. */
const messageFrame = fc.record({ type: fc.constant('message'), text: anyText })
const mutatedFrame = fc.oneof(
  messageFrame.map((f) => JSON.stringify(f)),
  fc.tuple(messageFrame, fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 })).map(([f, extra]) => JSON.stringify({ ...extra, ...f })),
  fc.tuple(fc.constantFrom('message', 'shout', '__proto__', 'constructor', 'toString', 'join', '', 'MESSAGE'), fc.jsonValue({ maxDepth: 2 })).map(([type, text]) => JSON.stringify({ type, text })),
  fc.tuple(messageFrame, fc.nat(), fc.string({ unit: 'binary', maxLength: 4 }), fc.nat({ max: 3 })).map(([f, at, insert, cut]) => {
    const s = JSON.stringify(f)
    const i = at % (s.length + 1)
    return s.slice(0, i) + insert + s.slice(i + cut)
  }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.nat({ max: 1500 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  anyText.map((text) => `{"type":"message","text":"${text.replace(/["\\]/g, '')}\\ud800"}`)
)

/** One socket with an answer queue: each text frame is answered by exactly one frame, or the socket closes. */
function open(server: TestServer, cookie: string) {
  const ws = new WebSocket(server.origin.replace('https:', 'wss:') + '/ws', { ca: server.ca, origin: server.origin, headers: { cookie } })
  const answers: unknown[] = []
  let closed: number | undefined
  let wake = () => {}
  ws.on('message', (data, isBinary) => {
    answers.push(isBinary ? { binary: true } : JSON.parse(String(data)))
    wake()
  })
  ws.on('close', (code) => {
    closed = code
    wake()
  })
  ws.on('error', () => {})
  const until = async (done: () => boolean, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs
    while (!done()) {
      if (Date.now() > deadline) throw new Error('no answer in time')
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, 100)
      })
    }
  }
  return { ws, answers, closed: () => closed, until, ready: until(() => answers.length > 0) }
}

t.test(`${TEXT_FRAMES} random and mutated text frames: one documented answer each, memory bounded`, async (t) => {
  const server = await startServer(t, {
    // Frames must reach the parser and the text rules: no socket budget or refusal limit here.
    frameBudgetPerSec: 10_000,
    frameBudgetBurst: 10_000,
    refusedFramesPerMin: 100_000,
    messageRatePerSec: 100,
    idleWarnMs: 600_000,
    idleKickMs: 900_000
  })
  const cookie = await signUp(server, 'fuzzer')
  const frames = fc.sample(mutatedFrame, { numRuns: TEXT_FRAMES * 2, seed: SEED }).filter((f) => Buffer.byteLength(f) <= 4096).slice(0, TEXT_FRAMES)
  t.equal(frames.length, TEXT_FRAMES)
  const started = Date.now()
  const before = heldBytes()
  let peak = before
  const socket = open(server, cookie)
  await socket.ready
  t.match(socket.answers.shift(), { type: 'welcome' })
  socket.ws.send(JSON.stringify({ type: 'join', room: 'lobby' })) // the server joins no room by itself
  await socket.until(() => socket.answers.length > 0)
  t.match(socket.answers.shift(), { type: 'joined', room: 'lobby' }, 'the lobby join')
  const counts: Record<string, number> = {}
  const bad: unknown[] = []
  for (let i = 0; i < frames.length; i += 200) {
    const batch = frames.slice(i, i + 200)
    for (const f of batch) socket.ws.send(f)
    await socket.until(() => socket.answers.length >= batch.length || socket.closed() !== undefined)
    if (socket.closed() !== undefined) break
    for (const answer of socket.answers.splice(0)) {
      const a = answer as { type: string; code?: string; text?: string; user?: string }
      const key = a.type === 'error' ? `error:${a.code}` : a.type
      counts[key] = (counts[key] ?? 0) + 1
      if (!isServerFrame.Check(answer)) bad.push(answer)
      else if (a.type === 'message' && (a.user !== 'fuzzer' || (prepareText(a.text!, 50) as { text?: string }).text !== a.text)) bad.push(answer)
    }
    peak = Math.max(peak, heldBytes())
  }
  t.equal(socket.closed(), undefined, 'the socket was never closed by text frames')
  t.same(bad, [], 'every answer is a documented frame; every broadcast text passes the text rules again unchanged')
  t.equal(Object.values(counts).reduce((a, b) => a + b, 0), TEXT_FRAMES, 'exactly one answer per frame')
  t.ok(counts['message']! > 20 && counts['error:invalid']! > 100, 'both accepted and refused frames were exercised')
  const growth = (peak - before) / MiB
  t.comment(`answers: ${JSON.stringify(counts)}; ${Date.now() - started} ms; held bytes peak +${growth.toFixed(1)} MiB`)
  t.ok(growth < 64, `memory growth ${growth.toFixed(1)} MiB`)
  t.ok(Date.now() - started < 60_000, 'done within 60 s')
  socket.ws.close()
})

t.test(`${RAW_FRAMES} raw frames (random bytes as text, binary, oversize): documented answers or close codes`, async (t) => {
  const server = await startServer(t, { frameBudgetPerSec: 10_000, frameBudgetBurst: 10_000, refusedFramesPerMin: 100_000, maxSocketsPerUser: 1000 })
  const cookie = await signUp(server, 'fuzzer')
  const raw = fc.sample(
    fc.oneof(
      { weight: 6, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes, binary: false })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }).map((bytes) => ({ bytes, binary: true })) },
      { weight: 1, arbitrary: fc.integer({ min: 4097, max: 20_000 }).map((n) => ({ bytes: new Uint8Array(n).fill(0x61), binary: false })) }
    ),
    { numRuns: RAW_FRAMES, seed: SEED }
  )
  const closes: Record<number, number> = {}
  const bad: unknown[] = []
  let socket = open(server, cookie)
  await socket.ready
  socket.answers.shift()
  for (const { bytes, binary } of raw) {
    if (socket.closed() !== undefined) {
      socket = open(server, cookie)
      await socket.ready
      socket.answers.shift()
    }
    socket.ws.send(Buffer.from(bytes), { binary })
    await socket.until(() => socket.answers.length > 0 || socket.closed() !== undefined)
    for (const answer of socket.answers.splice(0)) if (!isServerFrame.Check(answer)) bad.push(answer)
    if (socket.closed() !== undefined) {
      const code = socket.closed()!
      closes[code] = (closes[code] ?? 0) + 1
      if (!DOCUMENTED_CLOSES.has(code)) bad.push({ close: code })
    }
  }
  t.comment(`closes: ${JSON.stringify(closes)}`)
  t.same(bad, [], 'only documented frames and close codes')
  t.ok(closes[1003] && closes[1009] && closes[1007], 'binary, oversize and non-UTF-8 frames were exercised')
  socket.ws.close()
})
