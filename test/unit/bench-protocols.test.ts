// The load generator decodes only the frames it acts on (bench/loadgen/protocols.mjs) and skips
// the rest by their first bytes. Skipping too much would silently break the benchmark: a
// refused message no longer counted as refused, an error lost, a welcome or a joined never
// seen (every open or join would time out). Each frame is fed through receive() as the worker
// does, inside a larger shared buffer (start/end), the way the reader hands them over.
import t from 'tap'
import { PROTOCOLS } from '../../bench/loadgen/protocols.mjs'
import { freshCounters, receive, type ReceivingClient } from '../../bench/loadgen/receive.mjs'
import { messageText, stepByte } from '../../bench/loadgen/frames.mjs'

const STEP = 4

/** Feeds one frame, placed mid-buffer between bytes that must not be read, to a fresh or given state. */
function feed(kind: keyof typeof PROTOCOLS, frame: string | object, client: ReceivingClient, state = { proto: PROTOCOLS[kind], tag: stepByte(STEP), counters: freshCounters() }) {
  const text = typeof frame === 'string' ? frame : JSON.stringify(frame)
  const body = Buffer.from(text)
  const buf = Buffer.concat([Buffer.from('{"type":"error"~'), body, Buffer.from('~Ajunk"}')])
  receive(state, client, buf, 16, 16 + body.length)
  return state
}

const sent: string[] = []
const client = (over: Partial<ReceivingClient> = {}): ReceivingClient => ({ ready: true, send: (s) => void sent.push(s), ...over })
const bigMembers = Array.from({ length: 5000 }, (_, i) => `bench${i}`)

t.test('Parley: the upgrade asks for the lobby, whose joined makes a client ready; joined hands over its room', async (t) => {
  let ready = 0
  sent.length = 0
  const opening = client({ ready: false, onReady: () => void ready++ })
  t.equal(PROTOCOLS.parley.path('lobby'), '/ws?join=lobby', 'the server joins no room by itself: the client asks in its upgrade')
  feed('parley', { type: 'welcome', user: 'bench1', room: 'lobby', limits: { maxChars: 2000, ratePerSec: 1 } }, opening)
  t.same(sent, [], 'no frame sent for it')
  feed('parley', { type: 'joined', room: 'lobby', cap: 10, online: 1, members: ['bench1'], lastSeq: 0, messages: [] }, opening)
  t.equal(ready, 1, 'welcome recognised')
  const rooms: string[] = []
  const joining = client({ ready: false, joined: (ev) => void rooms.push(ev.room) })
  // A joined frame as lib/chat/rooms/join-replay.ts writes it, with a long member list and history holding markers.
  const history = [{ type: 'message', id: 'm1', room: 'r7', seq: 1, user: 'bench1', text: messageText(STEP, 1e15), ts: 1 }]
  feed('parley', { type: 'joined', room: 'r7', cap: 10, online: 5000, members: bigMembers, lastSeq: 1, messages: history }, joining)
  feed('parley', { room: 'r8', type: 'joined', members: [] }, joining) // another key order: parsed in full
  t.same(rooms, ['r7', 'r8'])
})

t.test('Parley: a rate_limited error is counted as refused, other errors as errors with their code', async (t) => {
  const state = feed('parley', { type: 'error', code: 'rate_limited', message: 'Slow down.', retryInMs: 300 }, client())
  t.equal(state.counters.refused, 1, 'refused message counted')
  feed('parley', { type: 'error', code: 'invalid', message: 'Bad frame.' }, client(), state)
  feed('parley', { code: 'too_long', type: 'error', message: 'Too long.' }, client(), state) // another key order
  t.equal(state.counters.errors, 2)
  t.same(state.counters.errorCodes, { invalid: 1, too_long: 1 })
  t.equal(state.counters.refused, 1)
  t.equal(state.counters.received + state.counters.stale, 0, 'an error is never a delivery')
})

t.test('Parley: while joining, a refusal or error goes to the join, not to the counters', async (t) => {
  const failed: string[] = []
  const state = feed('parley', { type: 'error', code: 'rate_limited', message: 'Slow down.', room: 'r1', retryInMs: 50 }, client({ ready: false, joinFailed: (ev) => void failed.push(ev.code) }))
  t.same(failed, ['rate_limited'])
  t.equal(state.counters.refused, 0)
})

t.test('Parley: presence, online, typing, members and the like are skipped without being decoded', async (t) => {
  const state = feed('parley', { type: 'presence', room: 'lobby', user: 'bench9', event: 'join', online: 12 }, client({ ready: false }))
  feed('parley', { type: 'members', room: 'lobby', online: 5000, large: false, offset: 0, users: bigMembers, more: false }, client({ ready: false }), state)
  // Not JSON after the type: counted as an error only if the generator had parsed it.
  for (const type of ['online', 'typing', 'presence', 'members', 'rooms', 'history', 'left', 'idle_warning']) feed('parley', `{"type":"${type}",not json`, client({ ready: false }), state)
  t.equal(state.counters.errors, 0)
  feed('parley', '{"type":"error",not json', client(), state)
  feed('parley', 'not json at all', client(), state)
  t.equal(state.counters.errors, 2, 'errors and unknown layouts are still parsed')
})

t.test('deliveries: counted by marker when ready, parsed before; a frame of another step is stale', async (t) => {
  const frame = (step: number) => ({ type: 'message', id: 'm2', room: 'lobby', seq: 2, user: 'bench3', text: messageText(step, 1e15), ts: 2 })
  const state = feed('parley', frame(STEP), client())
  feed('parley', frame(STEP), client({ ready: false }), state)
  feed('parley', frame(STEP - 1), client(), state)
  t.equal(state.counters.received, 2)
  t.equal(state.counters.stale, 1)
  feed('floor', frame(STEP), client({ ready: false }), state)
  t.equal(state.counters.received, 3, 'the floor echoes the frame as sent')
})

t.test('Socket.IO: open, namespace ack, heartbeat, events and namespace errors', async (t) => {
  sent.length = 0
  let ready = 0
  const c = client({ ready: false, onReady: () => void ready++ })
  const state = feed('socketio', '0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}', c)
  feed('socketio', '40{"sid":"def"}', c, state)
  feed('socketio', '2', c, state)
  t.same(sent, ['40', '3'], 'namespace connect, then pong')
  t.equal(ready, 1, 'ready at the 40 ack')
  feed('socketio', `42${JSON.stringify(['message', messageText(STEP, 1e15)])}`, c, state)
  t.equal(state.counters.received, 1, 'an event before ready is parsed and counted')
  feed('socketio', '44{"message":"Not authorized"}', c, state)
  t.equal(state.counters.errors, 1)
  t.same(state.counters.errorCodes, { '{"message":"Not authorized"}': 1 })
})
