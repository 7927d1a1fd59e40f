// The embeddable widget's defences, over real HTTPS/WSS: who may frame the chat, who may open /ws,
// single-use tickets, signed identities (tampered, expired, wrong site), guests and their cap.
import t from 'tap'
import crypto from 'node:crypto'
import { syncBuiltinESMExports } from 'node:module'
import WebSocket from 'ws'
import { ChatClient, connect, refusal, request, signUp, PASSWORD, type Response } from '../helpers/clients.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { signEmbedToken } from '../../lib/embed/embed-token.js'

const SITE = 'https://shop.example'
const OTHER = 'https://blog.example'
const SECRET = 'a'.repeat(40)
const OTHER_SECRET = 'b'.repeat(40)
const embedConfig = {
  embedOrigins: [SITE, OTHER],
  embedSecrets: { [SITE]: SECRET, [OTHER]: OTHER_SECRET },
  embedGuests: [SITE],
  maxGuestsPerIp: 2,
  wsAuthTimeoutMs: 300
}
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600

const post = (server: TestServer, path: string, body: unknown, opts: { cookie?: string; localAddress?: string } = {}) =>
  request(server, 'POST', path, { body, ...opts })

/** The widget cookie's name=value from a response. */
const embedCookie = (res: Response) => {
  const all = ([] as string[]).concat(res.headers['set-cookie'] ?? [])
  return all.find((c) => c.startsWith('__Host-parley-embed='))
}

/** Opens /ws from the widget iframe (our own origin, no cookie) and authenticates with a ticket. */
async function ticketSocket(server: TestServer, ticket: string) {
  const client = await connect(server, undefined)
  client.send({ type: 'auth', ticket })
  return client
}

t.test('widget.html may be framed by EMBED_ORIGINS only; every other route keeps frame-ancestors none', async (t) => {
  const server = await startServer(t, embedConfig)
  const page = await request(server, 'GET', '/widget.html')
  t.equal(page.status, 200)
  t.match(page.headers['content-security-policy'], `frame-ancestors ${SITE} ${OTHER}`)
  t.notOk(page.headers['x-frame-options'], 'no X-Frame-Options on the iframe page')
  for (const path of ['/', '/api/me', '/widget.js']) {
    const res = await request(server, 'GET', path)
    t.match(res.headers['content-security-policy'], "frame-ancestors 'none'", `${path} keeps frame-ancestors 'none'`)
  }
  const closed = await startServer(t, {})
  const none = await request(closed, 'GET', '/widget.html')
  t.match(none.headers['content-security-policy'], "frame-ancestors 'none'", 'without EMBED_ORIGINS nobody may frame it')
})

t.test('a host page (in EMBED_ORIGINS or not) cannot open /ws, even with a logged-in user cookie -> 403; a listed one only with a widget session of its own people (a guest or a user it signed), never a Parley account', async (t) => {
  const server = await startServer(t, embedConfig)
  const cookie = await signUp(server, 'alice')
  for (const origin of [SITE, 'https://evil.example']) {
    t.equal(await refusal(connect(server, cookie, { origin })), 403, `${origin} with the page cookie`)
    t.equal(await refusal(connect(server, undefined, { origin })), 403, `${origin} without a cookie`)
  }
  // With a widget session for OTHER, SITE still cannot open it.
  const login = await post(server, '/api/embed/login', { site: OTHER, username: 'alice', password: PASSWORD })
  const widget = embedCookie(login)!.split(';')[0]!
  t.equal(await refusal(connect(server, widget, { origin: SITE })), 403, 'a widget session for another site does not count')
  // A visitor who logged in to OTHER's widget with a Parley account: the host page's own scripts
  // carry the partitioned cookie too, and must not chat as alice.
  t.equal(await refusal(connect(server, widget, { origin: OTHER })), 403, "a Parley account's widget session is the iframe's alone")
  t.equal(server.app.chatHub.size, 0)
  const signed = await post(server, '/api/embed/identity', { site: OTHER, token: signEmbedToken('carol', inAnHour(), OTHER_SECRET) })
  const own = await connect(server, embedCookie(signed)!.split(';')[0]!, { origin: OTHER })
  t.equal((await own.next('welcome')).user, 'carol@blog.example', 'a user the site signed may be driven by the site itself')
  own.ws.close()
  const guest = await post(server, '/api/embed/guest', { site: SITE })
  const guestSocket = await connect(server, embedCookie(guest)!.split(';')[0]!, { origin: SITE })
  t.match((await guestSocket.next('welcome')).user, /^guest-/, "and so may the site's guest")
  guestSocket.ws.close()
})

t.test('a site not in EMBED_ORIGINS gets no widget session -> 403 forbidden_site', async (t) => {
  const server = await startServer(t, embedConfig)
  await signUp(server, 'alice')
  for (const [path, body] of [
    ['/api/embed/login', { site: 'https://evil.example', username: 'alice', password: PASSWORD }],
    ['/api/embed/guest', { site: 'https://evil.example' }],
    ['/api/embed/identity', { site: 'https://evil.example', token: signEmbedToken('bob', inAnHour(), SECRET) }]
  ] as const) {
    const res = await post(server, path, body)
    t.equal(res.status, 403, path)
    t.equal(res.body.code, 'forbidden_site')
    t.notOk(embedCookie(res), 'no cookie')
  }
})

t.test('widget login sets a partitioned SameSite=None cookie and a ticket that works once only', async (t) => {
  const server = await startServer(t, embedConfig)
  await signUp(server, 'alice')
  const res = await post(server, '/api/embed/login', { site: SITE, username: 'alice', password: PASSWORD })
  t.equal(res.status, 200)
  t.equal(res.body.username, 'alice')
  const cookie = embedCookie(res)!
  t.match(cookie, /; Secure/i)
  t.match(cookie, /; HttpOnly/i)
  t.match(cookie, /; SameSite=None/i)
  t.match(cookie, /; Partitioned/i)
  t.match(cookie, /; Path=\//i)
  const first = await ticketSocket(server, res.body.ticket)
  const welcome = await first.next('welcome')
  t.equal(welcome.user, 'alice')
  const again = await ticketSocket(server, res.body.ticket)
  t.same(await again.waitClose(), { code: 4003, reason: 'ticket_invalid' }, 'a used ticket is refused')
  const unknown = await ticketSocket(server, 'x'.repeat(32))
  t.same(await unknown.waitClose(), { code: 4003, reason: 'ticket_invalid' }, 'an unknown ticket is refused')
  first.ws.close()
})

t.test('a cookieless socket that sends no auth frame in time, or another frame first, is closed 1008', async (t) => {
  const server = await startServer(t, embedConfig)
  const silent = await connect(server, undefined)
  t.same(await silent.waitClose(3000), { code: 1008, reason: 'auth_required' }, 'no frame within WS_AUTH_TIMEOUT_MS')
  const chatty = await connect(server, undefined)
  chatty.send({ type: 'message', text: 'hi' })
  t.same(await chatty.waitClose(), { code: 1008, reason: 'auth_required' }, 'a message before auth')
  t.equal(server.app.chatHub.size, 0)
  const closed = await startServer(t, {})
  t.equal(await refusal(connect(closed, undefined)), 401, 'without EMBED_ORIGINS a cookieless socket is 401 as before')
})

t.test('the widget cookie authenticates /ws from the chat origin (partitioned cookie path)', async (t) => {
  const server = await startServer(t, embedConfig)
  await signUp(server, 'alice')
  const res = await post(server, '/api/embed/login', { site: SITE, username: 'alice', password: PASSWORD })
  const client = await connect(server, embedCookie(res)!.split(';')[0])
  t.equal((await client.next('welcome')).user, 'alice')
  client.ws.close()
})

t.test('signed identity: valid -> user@site-host; tampered, expired, wrong-site or replayed-after-expiry -> refused', async (t) => {
  const server = await startServer(t, embedConfig)
  const token = signEmbedToken('bob', inAnHour(), SECRET)
  const ok = await post(server, '/api/embed/identity', { site: SITE, token })
  t.equal(ok.status, 200)
  t.equal(ok.body.username, 'bob@shop.example', 'marked as coming from the site')
  const client = await ticketSocket(server, ok.body.ticket)
  t.equal((await client.next('welcome')).user, 'bob@shop.example')
  client.ws.close()

  const [payload, signature] = token.split('.')
  const forged = Buffer.from(JSON.stringify({ user: 'alice', exp: inAnHour() })).toString('base64url')
  const cases: [string, string, string, string][] = [
    ['tampered payload', SITE, `${forged}.${signature}`, 'token_invalid'],
    ['tampered signature', SITE, `${payload}.${signature!.slice(0, -2)}AA`, 'token_invalid'],
    ['signed for another site', OTHER, token, 'token_invalid'],
    ['expired', SITE, signEmbedToken('bob', Math.floor(Date.now() / 1000) - 1, SECRET), 'token_expired'],
    ['garbage', SITE, 'not-a-token', 'token_invalid']
  ]
  for (const [name, site, tok, code] of cases) {
    const res = await post(server, '/api/embed/identity', { site, token: tok })
    t.equal(res.status, 401, name)
    t.equal(res.body.code, code, `${name}: ${code}`)
    t.ok(res.body.message, 'a clear message')
    t.notOk(embedCookie(res), `${name}: no cookie`)
  }
  const noSecret = await startServer(t, { embedOrigins: [SITE] })
  const res = await post(noSecret, '/api/embed/identity', { site: SITE, token })
  t.equal(res.body.code, 'identity_disabled', 'a site without a secret has no signed identities')
})

t.test('guests: only on EMBED_GUESTS sites, named guest-xxxx@site-host, capped per address', async (t) => {
  const server = await startServer(t, embedConfig)
  const refused = await post(server, '/api/embed/guest', { site: OTHER })
  t.equal(refused.status, 403)
  t.equal(refused.body.code, 'guests_disabled')
  const guests = []
  for (let i = 0; i < 2; i++) {
    const res = await post(server, '/api/embed/guest', { site: SITE }, { localAddress: '127.0.0.2' })
    t.equal(res.status, 200)
    t.match(res.body.username, /^guest-[0-9a-f]{6}@shop\.example$/)
    t.equal(res.body.guest, true)
    guests.push(res.body)
  }
  const over = await post(server, '/api/embed/guest', { site: SITE }, { localAddress: '127.0.0.2' })
  t.equal(over.status, 429, 'MAX_GUESTS_PER_IP reached')
  t.equal(over.body.code, 'too_many_guests')
  const elsewhere = await post(server, '/api/embed/guest', { site: SITE }, { localAddress: '127.0.0.3' })
  t.equal(elsewhere.status, 200, 'another address is not affected')
  const client = await ticketSocket(server, guests[0].ticket)
  const welcome = await client.next('welcome')
  t.equal(welcome.user, guests[0].username)
  t.equal(welcome.limits.maxChars, server.config.messageMaxChars, 'the same limits as everyone')
  client.ws.close()
})

t.test('a signed identity replayed after its expiry -> 401 token_expired (it worked before)', async (t) => {
  const server = await startServer(t, embedConfig)
  // exp 2 s ahead in whole seconds: at least 1 s of validity whatever the millisecond (with +1 it
  // could be 1 ms, and the first request failed on a loaded machine).
  const exp = Math.floor(Date.now() / 1000) + 2
  const token = signEmbedToken('bob', exp, SECRET)
  t.equal((await post(server, '/api/embed/identity', { site: SITE, token })).status, 200, 'valid until its exp')
  await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 100)) // past exp
  const replay = await post(server, '/api/embed/identity', { site: SITE, token })
  t.equal(replay.status, 401)
  t.equal(replay.body.code, 'token_expired')
  t.match(replay.body.message, /expired/)
})

t.test('a site user can never pass for a Parley account: alice signed by the site is alice@shop.example; @ is no account name', async (t) => {
  const server = await startServer(t, embedConfig)
  const aliceCookie = await signUp(server, 'alice')
  const res = await post(server, '/api/embed/identity', { site: SITE, token: signEmbedToken('alice', inAnHour(), SECRET) })
  t.equal(res.body.username, 'alice@shop.example', 'marked with the site')
  const widget = await ticketSocket(server, res.body.ticket)
  t.equal((await widget.next('welcome')).user, 'alice@shop.example')
  widget.send({ type: 'join', room: 'lobby' })
  await widget.next('joined', (f) => f.room === 'lobby')
  const parley = await connect(server, aliceCookie)
  await parley.next('welcome')
  await parley.next('joined', (f) => f.room === 'lobby')
  widget.send({ type: 'message', room: 'lobby', text: 'who am I', cid: 'c1' })
  t.equal((await parley.next('message', (f) => f.text === 'who am I')).user, 'alice@shop.example', 'others see the site-marked name')
  const register = await post(server, '/api/register', { username: 'alice@shop.example', password: PASSWORD })
  t.equal(register.status, 400, 'nobody can register a name with @ (so no account looks like a site user)')
  t.equal(await server.app.userStore.findUser('alice@shop.example'), undefined, 'no account was created for the site user')
  widget.ws.close()
  parley.ws.close()
})

t.test('a widget session is bound to its site: a ticket for another site -> 401, the cookie alone opens nothing elsewhere', async (t) => {
  const server = await startServer(t, embedConfig)
  await signUp(server, 'alice')
  const login = await post(server, '/api/embed/login', { site: OTHER, username: 'alice', password: PASSWORD })
  const cookie = embedCookie(login)!.split(';')[0]!
  t.match((await post(server, '/api/embed/ticket', { site: OTHER }, { cookie })).body, { session: { username: 'alice', ticket: /^[\w-]{32}$/ } }, 'its own site gets a ticket')
  const elsewhere = await post(server, '/api/embed/ticket', { site: SITE }, { cookie })
  t.equal(elsewhere.status, 200, 'no session is an answer, not an error (a clean console)')
  t.same(elsewhere.body, { session: null }, 'another site gets no ticket')
  t.same((await post(server, '/api/embed/ticket', { site: SITE })).body, { session: null }, 'nor anyone without the cookie')
})

t.test('guests chat under the same limits: message rate, length, idle kick (which frees their slot); they create no room', async (t) => {
  const server = await startServer(t, { ...embedConfig, maxGuestsPerIp: 1, messageRatePerSec: 1, messageMaxChars: 20, idleWarnMs: 300, idleKickMs: 800 })
  const guest = await post(server, '/api/embed/guest', { site: SITE }, { localAddress: '127.0.0.4' })
  const client = await ticketSocket(server, guest.body.ticket)
  t.match((await client.next('welcome')).limits, { maxChars: 20, ratePerSec: 1, idleKickMs: 800 }, 'the welcome states the same limits')
  client.send({ type: 'join', room: 'lobby' }) // after the welcome: the server joins no room by itself
  await client.next('joined', (f) => f.room === 'lobby')
  client.send({ type: 'message', room: 'lobby', text: 'x'.repeat(21), cid: 'long' })
  t.match(await client.next('error'), { code: 'too_long' }, 'MESSAGE_MAX_CHARS')
  client.send({ type: 'message', room: 'lobby', text: 'one', cid: 'a' })
  client.send({ type: 'message', room: 'lobby', text: 'two', cid: 'b' })
  t.match(await client.next('error', (f) => f.room === 'lobby'), { code: 'rate_limited' }, 'MESSAGE_RATE_PER_SEC')
  client.send({ type: 'create', room: 'g1' })
  t.match(await client.next('error', (f) => f.room === 'g1'), { code: 'forbidden' }, 'no room creation at all (issue 16)')
  t.equal((await post(server, '/api/embed/guest', { site: SITE }, { localAddress: '127.0.0.4' })).status, 429, 'MAX_GUESTS_PER_IP=1 while it lives')
  t.same(await client.waitClose(3000), { code: 4000, reason: 'idle' }, 'kicked at IDLE_KICK_MS like anyone')
  const again = await post(server, '/api/embed/guest', { site: SITE }, { localAddress: '127.0.0.4' })
  t.equal(again.status, 200, 'the ended guest session gave its slot back')
})

t.test('guest names never collide: a name a live guest holds is drawn again; a signed site user may not look like a guest', async (t) => {
  const server = await startServer(t, { ...embedConfig, maxGuestsPerIp: 5 })
  // Every draw of a guest name gives the same 3 bytes (other random bytes stay random).
  const randomBytes = crypto.randomBytes
  crypto.randomBytes = ((n: number, ...rest: []) => (n === 3 ? Buffer.from([0xab, 0xcd, 0xef]) : randomBytes(n, ...rest))) as typeof randomBytes
  syncBuiltinESMExports()
  t.teardown(() => {
    crypto.randomBytes = randomBytes
    syncBuiltinESMExports()
  })
  const first = await post(server, '/api/embed/guest', { site: SITE })
  t.equal(first.body.username, 'guest-abcdef@shop.example')
  const second = await post(server, '/api/embed/guest', { site: SITE })
  t.not(second.body.username, first.body.username, 'a second live guest never gets the same name')
  t.equal(second.status, 503, 'no free name left to draw: busy, try again')
  t.equal(second.body.code, 'busy')
  crypto.randomBytes = randomBytes
  syncBuiltinESMExports()

  for (const user of ['guest-abcdef', 'Guest-1']) {
    const res = await post(server, '/api/embed/identity', { site: SITE, token: signEmbedToken(user, inAnHour(), SECRET) })
    t.equal(res.status, 401, `a site user ${user} would read as one of the site's guests`)
    t.equal(res.body.code, 'token_invalid')
  }
  t.equal((await post(server, '/api/embed/identity', { site: SITE, token: signEmbedToken('guestbook', inAnHour(), SECRET) })).status, 200, 'only the guest- prefix is reserved')
})

t.test('a ticket in the URL opens nothing: /ws?ticket=... without the auth frame is closed 1008 auth_required', async (t) => {
  const server = await startServer(t, embedConfig)
  await signUp(server, 'alice')
  const res = await post(server, '/api/embed/login', { site: SITE, username: 'alice', password: PASSWORD })
  const url = `${server.origin.replace('https:', 'wss:')}/ws?ticket=${res.body.ticket}&auth=${res.body.ticket}`
  const client = new ChatClient(new WebSocket(url, { ca: server.ca, origin: server.origin }))
  t.same(await client.waitClose(3000), { code: 1008, reason: 'auth_required' }, 'the query is never read')
  t.equal(client.frames.filter((f) => f.type === 'welcome').length, 0, 'no welcome')
})
