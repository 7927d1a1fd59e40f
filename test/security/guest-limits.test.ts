// Guests cannot reset their limits by becoming new guests: new guests per address per hour, and
// every per-user limit (message rate, room requests and creation, sockets per user) counts a
// site's guests from one address as one (issue 16, findings 3 and 4). Real TLS, real sockets.
import t, { type Test } from 'tap'
import { type ChatClient, connect, embedCookie, refusal, request, type Response, signUp } from '../helpers/clients.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { createRoomFrameHandlers } from '../../lib/chat/gateway/room-frame-handlers.js'
import { createRateLimiter } from '../../lib/shared/rate-limiter.js'
import type { FrameContext } from '../../lib/chat/gateway/chat-frames.js'
import type { RoomHub } from '../../lib/chat/rooms/room-hub.js'

const SITE = 'https://shop.example'
const OTHER = 'https://blog.example'
const embed = { embedOrigins: [SITE, OTHER], embedGuests: [SITE, OTHER] }

const newGuest = (server: TestServer, localAddress: string, opts: { cookie?: string; site?: string } = {}) =>
  request(server, 'POST', '/api/embed/guest', { body: { site: opts.site ?? SITE }, localAddress, ...(opts.cookie ? { cookie: opts.cookie } : {}) })

/** A guest's socket from the widget iframe (the chat's own origin) with its cookie, in the lobby. */
async function guestSocket(t: Test, server: TestServer, localAddress: string, site = SITE): Promise<{ client: ChatClient; user: string }> {
  const res = await newGuest(server, localAddress, { site })
  if (res.status !== 200) throw new Error(`guest: ${res.status} ${JSON.stringify(res.body)}`)
  const client = await connect(server, embedCookie(res), { localAddress })
  t.teardown(() => client.ws.close())
  await client.next('welcome')
  await client.next('joined', (f) => f.room === 'lobby')
  return { client, user: res.body.username }
}

t.test('new guests per address are limited per hour (GUESTS_PER_IP_PER_HOUR), also when each new guest ends the last with its cookie -> 429 too_many_guests with Retry-After', async (t) => {
  const server = await startServer(t, { ...embed, maxGuestsPerIp: 3, guestsPerIpPerHour: 4 })
  // The attack of finding 3: each new guest presents the previous guest's cookie, which ends that
  // guest and frees its live slot, so MAX_GUESTS_PER_IP alone never stops it.
  let cookie: string | undefined
  const users = new Set<string>()
  for (let i = 0; i < 4; i++) {
    const res = await newGuest(server, '127.0.0.21', cookie ? { cookie } : {})
    t.equal(res.status, 200, `guest ${i + 1} of the hour`)
    users.add(res.body.username)
    cookie = embedCookie(res)
  }
  t.equal(users.size, 4)
  t.equal((await server.app.sessions.list()).filter((s) => s.guest).length, 1, 'each new guest ended the one before (one live slot in use)')
  const over = await newGuest(server, '127.0.0.21', { cookie })
  t.equal(over.status, 429, 'the fifth within the hour is refused although a live slot is free')
  t.equal(over.body.code, 'too_many_guests')
  t.match(over.body.message, /Too many new guests from this address; try again in \d+ s/)
  // 4 an hour: one more every 15 min.
  const retry = Number(over.headers['retry-after'])
  t.ok(retry >= 1 && retry <= 900, `Retry-After ${retry} s`)
  t.notOk(embedCookie(over), 'no session was started')
  t.equal(over.body.username, undefined)
  t.equal((await newGuest(server, '127.0.0.22')).status, 200, 'another address is not affected')
  t.equal(server.config.guestsPerIpPerHour, 4)
  const defaults = await startServer(t, embed)
  t.equal(defaults.config.guestsPerIpPerHour, 10, 'the default: 10 new guests an hour per address')
})

t.test("cycling guest identities gains nothing: a site's guests from one address share one message rate and one room-request rate", async (t) => {
  // 3 room requests a minute: the two guests' lobby joins take two, a's `rooms` the last one.
  const server = await startServer(t, { ...embed, maxGuestsPerIp: 5, messageRatePerSec: 1, roomJoinsPerMin: 3 })
  const a = await guestSocket(t, server, '127.0.0.31')
  const b = await guestSocket(t, server, '127.0.0.31')
  t.not(a.user, b.user, 'two guest identities')
  a.client.send({ type: 'message', room: 'lobby', text: 'first', cid: 'a1' })
  t.equal((await a.client.next('message', (f) => f.cid === 'a1')).user, a.user)
  b.client.send({ type: 'message', room: 'lobby', text: 'second', cid: 'b1' })
  const refused = await b.client.next('error', (f) => f.room === 'lobby')
  t.equal(refused.code, 'rate_limited', "the new guest has no message allowance of its own (MESSAGE_RATE_PER_SEC)")
  t.ok(refused.retryInMs > 0, 'with retryInMs')

  a.client.send({ type: 'rooms' })
  await a.client.next('rooms')
  b.client.send({ type: 'rooms' })
  t.equal((await b.client.next('error')).code, 'rate_limited', 'nor a room-request allowance of its own (ROOM_JOINS_PER_MIN)')

  // Others keep their own allowances: a guest of the same site elsewhere, the same address's guest
  // on another site, and an account (keyed by its name) from the same address.
  const elsewhere = await guestSocket(t, server, '127.0.0.32')
  elsewhere.client.send({ type: 'message', room: 'lobby', text: 'elsewhere', cid: 'e1' })
  t.equal((await elsewhere.client.next('message', (f) => f.cid === 'e1')).user, elsewhere.user, 'a guest at another address')
  const otherSite = await guestSocket(t, server, '127.0.0.31', OTHER)
  otherSite.client.send({ type: 'message', room: 'lobby', text: 'other site', cid: 'o1' })
  t.equal((await otherSite.client.next('message', (f) => f.cid === 'o1')).user, otherSite.user, "the same address's guest on another site")
  const cookie = await signUp(server, 'alice')
  const alice = await connect(server, cookie, { localAddress: '127.0.0.31' })
  t.teardown(() => alice.ws.close())
  await alice.next('joined', (f) => f.room === 'lobby')
  alice.send({ type: 'message', room: 'lobby', text: 'mine', cid: 'm1' })
  t.equal((await alice.next('message', (f) => f.cid === 'm1')).user, 'alice', 'an account at the same address')
})

t.test("a site's guests from one address share MAX_SOCKETS_PER_USER, at the upgrade (cookie) and on the ticket path -> 429 / 1008", async (t) => {
  const server = await startServer(t, { ...embed, maxGuestsPerIp: 5, maxSocketsPerUser: 2 })
  await guestSocket(t, server, '127.0.0.41')
  await guestSocket(t, server, '127.0.0.41')
  const third = await newGuest(server, '127.0.0.41')
  t.equal(third.status, 200)
  const upgrade = connect(server, embedCookie(third), { localAddress: '127.0.0.41' })
  const refused = await upgrade.catch((err) => err as { status: number; body: string })
  t.equal((refused as { status: number }).status, 429, 'a third guest identity gets no socket of its own')
  t.match(JSON.parse((refused as { body: string }).body), { code: 'too_many_connections', message: /per user/ })
  // The cookieless widget: the ticket is checked against the same count once redeemed.
  const ticketed = await connect(server, undefined, { localAddress: '127.0.0.41' })
  ticketed.send({ type: 'auth', ticket: third.body.ticket })
  t.same(await ticketed.waitClose(), { code: 1008, reason: 'too_many_refused_frames' }, 'the ticket path is capped alike')
  t.equal(ticketed.frames.filter((f) => f.type === 'welcome').length, 0)
  t.equal(server.app.chatHub.countUser(`guest|${SITE}|127.0.0.41`), 2, "the address's guests hold two sockets in all")
  // Another address's guest, and an account at the same address, each have their own cap.
  t.equal(await refusal(connect(server, embedCookie(await newGuest(server, '127.0.0.42')), { localAddress: '127.0.0.42' })), 'open', 'a guest at another address')
  const cookie = await signUp(server, 'bob')
  t.equal(await refusal(connect(server, cookie, { localAddress: '127.0.0.41' })), 'open', 'an account at the same address')
})

t.test('room creation counts under the limit key, not the name: two names with one key share ROOM_CREATES_PER_MIN', async (t) => {
  // The handler alone (a real socket's create may also meet the rooms' own guest rules).
  const created: string[] = []
  const rooms = { create: (_client: unknown, room: string) => void created.push(room) } as unknown as RoomHub
  const handlers = createRoomFrameHandlers({
    rooms,
    joinLimiter: createRateLimiter(1, { burst: 1 }),
    createLimiter: createRateLimiter(1 / 60, { burst: 1 }),
    idle: { touch() {} },
    inputIsActivity: true
  })
  const refusals: string[] = []
  const ctx = (user: string): FrameContext => ({
    user,
    sessionId: user,
    limitKey: `guest|${SITE}|127.0.0.51`,
    address: '127.0.0.51',
    site: SITE,
    guest: false,
    client: {} as FrameContext['client'],
    now: 1000,
    refuse: (code) => void refusals.push(code),
    fail: (err) => t.fail(String(err))
  })
  handlers.create({ type: 'create', room: 'one' }, ctx('guest-aaaaaa@shop.example'))
  handlers.create({ type: 'create', room: 'two' }, ctx('guest-bbbbbb@shop.example'))
  t.same(created, ['one'])
  t.same(refusals, ['rate_limited'], 'the second name is refused: same key')
  handlers.create({ type: 'create', room: 'three' }, { ...ctx('guest-cccccc@shop.example'), limitKey: `guest|${SITE}|127.0.0.52` })
  t.same(created, ['one', 'three'], 'another key has its own allowance')
})
