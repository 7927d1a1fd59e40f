// The embeddable widget's defences, over real HTTPS/WSS: who may frame the chat, who may open /ws,
// single-use tickets, signed identities (tampered, expired, wrong site), guests and their cap.
import t from 'tap'
import { connect, refusal, request, signUp, PASSWORD, type Response } from '../helpers/clients.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { signEmbedToken } from '../../lib/embed-token.js'

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

t.test('a host page (in EMBED_ORIGINS or not) cannot open /ws, even with a logged-in user cookie -> 403', async (t) => {
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
  t.equal(server.app.chatHub.size, 0)
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
