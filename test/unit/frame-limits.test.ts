// The chat handlers over the rate-limits port: a local limiter's number is acted on at once (no
// promise per message), a shared limiter's promise is waited for, and a limit that cannot be
// checked refuses (nothing is posted, joined or created unchecked).
import t from 'tap'
import { createFrameHandlers, type FrameContext } from '../../lib/chat/gateway/chat-frames.js'
import { LIMIT_UNKNOWN_RETRY_MS } from '../../lib/chat/gateway/room-frame-handlers.js'
import type { RoomHub } from '../../lib/chat/rooms/room-hub.js'
import type { RateLimit } from '../../lib/shared/ports.js'

function setUp(answer: () => number | Promise<number>) {
  const posted: string[] = []
  const joined: string[] = []
  const refused: { code: string; retryInMs?: number }[] = []
  const rooms = {
    isMember: () => true,
    post: (_c: unknown, _room: string, text: string) => void posted.push(text),
    join: (_c: unknown, room: string) => void joined.push(room)
  } as unknown as RoomHub
  const limit: RateLimit = { take: answer, wait: () => 0, refund: () => {} }
  const handlers = createFrameHandlers({ rooms, limiter: limit, joinLimiter: limit, createLimiter: limit, idle: { touch() {} }, inputIsActivity: false, maxChars: 50 })
  const ctx: FrameContext = {
    user: 'alice',
    sessionId: 's',
    limitKey: 'alice',
    address: '127.0.0.1',
    site: undefined,
    guest: false,
    client: {} as FrameContext['client'],
    now: 1000,
    refuse: (code, retryInMs) => void refused.push({ code, retryInMs }),
    fail: (err) => t.fail(String(err))
  }
  return { handlers, ctx, posted, joined, refused }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

t.test('a local limiter answers a number: the message is posted in the same call, a refusal says when', async (t) => {
  let wait = 0
  const { handlers, ctx, posted, refused } = setUp(() => wait)
  handlers.message({ type: 'message', text: 'hi' }, ctx)
  t.same(posted, ['hi'], 'posted at once, with no promise in between')
  wait = 700
  handlers.message({ type: 'message', text: 'again' }, ctx)
  t.same(refused, [{ code: 'rate_limited', retryInMs: 700 }])
  t.same(posted, ['hi'])
})

t.test('a shared limiter answers a promise: the message and the join wait for it; its refusal is the same', async (t) => {
  let wait = 0
  const { handlers, ctx, posted, joined, refused } = setUp(() => Promise.resolve(wait))
  handlers.message({ type: 'message', text: 'hi' }, ctx)
  handlers.join({ type: 'join', room: 'lobby' }, ctx)
  t.same(posted, [], 'nothing before the limit answered')
  await settle()
  t.same(posted, ['hi'], 'posted once allowed')
  t.same(joined, ['lobby'], 'joined once allowed')
  wait = 900
  handlers.message({ type: 'message', text: 'again' }, ctx)
  await settle()
  t.same(refused, [{ code: 'rate_limited', retryInMs: 900 }])
})

t.test('a shared limit that cannot be checked refuses: nothing is posted or joined unchecked', async (t) => {
  const { handlers, ctx, posted, joined, refused } = setUp(() => Promise.reject(new Error('store unreachable')))
  handlers.message({ type: 'message', text: 'hi' }, ctx)
  handlers.join({ type: 'join', room: 'lobby' }, ctx)
  await settle()
  t.same(posted, [])
  t.same(joined, [])
  t.same(refused, [
    { code: 'rate_limited', retryInMs: LIMIT_UNKNOWN_RETRY_MS },
    { code: 'rate_limited', retryInMs: LIMIT_UNKNOWN_RETRY_MS }
  ])
})
