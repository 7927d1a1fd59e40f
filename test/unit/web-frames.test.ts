/// <reference lib="dom" />
// The page's frame handling (no browser): resume bookkeeping, unread counts, refusals matched to
// the message in flight, resume joins that are refused.
import t from 'tap'
import { applyFrame, type FrameContext } from '../../web/frames.js'
import * as outbox from '../../web/outbox.js'
import type { ChatMessage, ClientFrame } from '../../web/protocol.js'
import { createRoomState } from '../../web/room-state.js'
import { createChatState } from '../../web/state.js'
import { lastSeq } from '../../web/timeline.js'

const msg = (room: string, seq: number, user = 'bob', cid?: string): ChatMessage => ({
  type: 'message', id: `i${seq}`, room, seq, user, text: `t${seq}`, ts: 1, ...(cid ? { cid } : {})
})

function setup() {
  const state = createChatState()
  state.user.value = 'alice'
  const lobby = createRoomState('lobby')
  const dev = createRoomState('dev')
  state.rooms.value = [lobby, dev]
  state.currentRoom.value = 'dev'
  const sent: ClientFrame[] = []
  const calls: string[] = []
  const ctx: FrameContext = {
    state,
    findRoom: (name) => state.rooms.value.find((r) => r.name === name),
    pendingJoins: new Set(),
    isVisible: () => true,
    send: (f) => (sent.push(f), true),
    flush: () => calls.push('flush'),
    resume: () => calls.push('resume'),
    rateLimit: (ms) => calls.push(`rateLimit ${ms}`),
    openRoom: (name) => calls.push(`open ${name}`),
    rejoin: (name, ms) => calls.push(`rejoin ${name} ${ms}`),
    dropRoom: (name, reason) => calls.push(`drop ${name}: ${reason}`)
  }
  const joined = (room: string, messages: ChatMessage[], extra = {}) =>
    applyFrame(ctx, { type: 'joined', room, cap: 50, online: 2, members: ['alice', 'bob'], lastSeq: messages.at(-1)?.seq ?? 0, messages, ...extra })
  return { state, lobby, dev, ctx, sent, calls, joined }
}

t.test('a resume merges replayed and live messages once; what came meanwhile counts as unread', async (t) => {
  const { lobby, ctx, joined } = setup()
  joined('lobby', [msg('lobby', 1), msg('lobby', 2)])
  t.equal(lobby.unread.value, 0, 'the first join is history, not unread')
  lobby.status.value = 'joining' // the socket dropped
  joined('lobby', [msg('lobby', 1), msg('lobby', 2), msg('lobby', 3)])
  applyFrame(ctx, msg('lobby', 3))
  applyFrame(ctx, msg('lobby', 4))
  t.equal(lastSeq(lobby.items.value), 4)
  t.equal(lobby.items.value.length, 4, 'each seq once')
  t.equal(lobby.unread.value, 2, 'seq 3 and 4 arrived while lobby was not in view')
  t.equal(lobby.status.value, 'joined')
  joined('lobby', [msg('lobby', 90)], { reset: true })
  t.same(lobby.items.value.map((i) => i.seq), [90], 'reset: the room is reloaded')
})

t.test('our broadcast with its cid delivers the outbox entry; a rate limit requeues it', async (t) => {
  const { state, ctx, calls } = setup()
  state.outbox.value = outbox.markSending(outbox.enqueue([], 'c-1', 'dev', 'hi'), 'c-1')
  applyFrame(ctx, { type: 'error', code: 'rate_limited', message: '', room: 'dev', retryInMs: 700 })
  t.equal(state.outbox.value[0]!.status, 'queued', 'refused for speed: waits, same cid')
  t.ok(calls.includes('rateLimit 700'))
  state.outbox.value = outbox.markSending(state.outbox.value, 'c-1')
  applyFrame(ctx, { type: 'error', code: 'too_long', message: '', room: 'dev' })
  t.equal(state.outbox.value[0]!.status, 'failed', 'refused for good: marked not sent')
  applyFrame(ctx, msg('dev', 5, 'alice', 'c-1'))
  t.same(state.outbox.value, [], 'the broadcast with the cid delivers it')
})

t.test('a frame-budget refusal (no room named) requeues the message in flight; without one it changes nothing', async (t) => {
  const { state, ctx, calls } = setup()
  applyFrame(ctx, { type: 'error', code: 'rate_limited', message: '', retryInMs: 60 })
  t.notOk(calls.some((c) => c.startsWith('rateLimit')), 'nothing in flight: no wait')
  state.outbox.value = outbox.markSending(outbox.enqueue([], 'c-1', 'dev', 'hi'), 'c-1')
  applyFrame(ctx, { type: 'error', code: 'rate_limited', message: '', retryInMs: 60 })
  t.equal(state.outbox.value[0]!.status, 'queued', 'waits, same cid (it was stuck as sending before)')
  t.ok(calls.includes('rateLimit 60'))
})

t.test('refused resume joins: retried after a rate limit, dropped when the room is gone', async (t) => {
  const { dev, lobby, ctx, calls } = setup()
  dev.status.value = 'joining'
  applyFrame(ctx, { type: 'error', code: 'rate_limited', message: '', room: 'dev', retryInMs: 300 })
  t.ok(calls.includes('rejoin dev 300'))
  lobby.status.value = 'joining'
  applyFrame(ctx, { type: 'error', code: 'no_such_room', message: '', room: 'lobby' })
  t.match(calls.at(-1), /^drop lobby: /)
})

t.test('an unasked joined (a resume answered before our leave) opens nothing and sends nothing; asked ones open', async (t) => {
  const { state, ctx, sent, calls, joined } = setup()
  state.rooms.value = []
  joined('lobby', [])
  t.same(sent, [], 'the leave already sent takes us out: no second leave (whose not_in_room would show)')
  t.equal(state.rooms.value.length, 0)
  ctx.pendingJoins.add('new')
  joined('new', [msg('new', 1)])
  t.ok(calls.includes('open new'))
  t.equal(state.rooms.value.length, 1)
})

t.test('presence is idempotent: a join of a listed member or a leave of an absent one changes only the count', async (t) => {
  const { lobby, ctx, joined } = setup()
  joined('lobby', [])
  const notices = () => lobby.items.value.filter((i) => i.kind === 'notice').length
  const before = notices()
  applyFrame(ctx, { type: 'presence', room: 'lobby', user: 'bob', event: 'join', online: 2 })
  applyFrame(ctx, { type: 'presence', room: 'lobby', user: 'carol', event: 'leave', online: 2 })
  t.same(lobby.members.value, ['alice', 'bob'], 'old news from a batched flush leaves the list as `joined` gave it')
  t.equal(notices(), before, 'and shows no notice')
  applyFrame(ctx, { type: 'presence', room: 'lobby', user: 'carol', event: 'join', online: 3 })
  applyFrame(ctx, { type: 'presence', room: 'lobby', user: 'carol', event: 'join', online: 3 })
  t.same(lobby.members.value, ['alice', 'bob', 'carol'])
  applyFrame(ctx, { type: 'presence', room: 'lobby', user: 'bob', event: 'leave', online: 2 })
  applyFrame(ctx, { type: 'presence', room: 'lobby', user: 'bob', event: 'leave', online: 2 })
  t.same(lobby.members.value, ['alice', 'carol'])
  t.equal(lobby.online.value, 2)
  t.equal(notices(), before + 2, 'one notice per real change')
})

t.test('a room an operator closed (left with reason closed) is dropped with a notice; an answer to our own leave changes nothing', async (t) => {
  const { state, ctx, calls } = setup()
  applyFrame(ctx, { type: 'left', room: 'lobby' })
  t.same(calls, [], 'the answer to a leave')
  applyFrame(ctx, { type: 'left', room: 'dev', reason: 'closed' })
  t.same(calls, ['drop dev: The room #dev was closed.'])
  t.equal(state.roomError.value, 'The room #dev was closed.')
})

t.test('a catch-up spread over several turns, cut by a reconnect and reset midway: every seq once, resumed from the last one seen', async (t) => {
  const { lobby, ctx, joined, state } = setup()
  joined('lobby', [msg('lobby', 1), msg('lobby', 2)])
  state.outbox.value = outbox.markSending(outbox.enqueue(state.outbox.value, 'c1', 'lobby', 'mine'), 'c1')
  lobby.status.value = 'joining' // the socket dropped
  joined('lobby', [], { lastSeq: 9 })
  t.equal(lobby.status.value, 'joined', 'joined answers the resume at once; the replay follows')
  for (const seq of [3, 4]) applyFrame(ctx, msg('lobby', seq))
  applyFrame(ctx, msg('lobby', 5, 'alice', 'c1'))
  t.same(state.outbox.value, [], 'our own message, replayed, is acknowledged')
  lobby.status.value = 'joining' // dropped again, in the middle of the replay
  t.equal(lastSeq(lobby.items.value), 5, 'the next resume asks for what follows the last one seen')
  joined('lobby', [], { lastSeq: 10 })
  for (const seq of [5, 6, 7, 8, 9, 10]) applyFrame(ctx, msg('lobby', seq))
  t.same(lobby.items.value.map((i) => i.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'every seq once, in order')
  joined('lobby', [msg('lobby', 40), msg('lobby', 41)], { lastSeq: 41, reset: true }) // compacted away while it waited
  applyFrame(ctx, msg('lobby', 42))
  t.same(lobby.items.value.map((i) => i.seq), [40, 41, 42], 'a reset midway reloads the room, and the replay goes on from there')
  t.equal(lobby.more.value, true, 'older ones can be asked for')
})
