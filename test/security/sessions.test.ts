// Attacks on sessions: fixation, replay after logout, tampered cookies, revoked sessions that keep a
// socket, and cross-site requests to the session routes.
import t from 'tap'
import { connect, logIn, refusal, request, signUp } from '../helpers/clients.js'
import { startServer } from '../helpers/server.js'
import * as app from '../helpers/app.js'

const me = (server: Parameters<typeof request>[0], cookie: string) => request(server, 'GET', '/api/me', { cookie })
// The tests of HTTP answers alone run on the app through fastify.inject (helpers/app.ts).
const appMe = (server: app.TestApp, cookie: string) => app.request(server, 'GET', '/api/me', { cookie })

t.test('session fixation: a cookie held before login is replaced and ended by the login', async (t) => {
  const server = await app.buildTestApp(t)
  await app.signUp(server, 'victim')
  // The attacker's own live session cookie, planted in the victim's browser.
  const planted = await app.signUp(server, 'mallory')
  const res = await app.request(server, 'POST', '/api/login', { cookie: planted, body: { username: 'victim', password: 'correct horse' } })
  t.equal(res.status, 200)
  t.ok(res.cookie, 'login sets a new cookie')
  t.not(res.cookie, planted, 'the cookie is not the one sent')
  t.equal((await appMe(server, res.cookie!)).body.username, 'victim')
  t.equal((await appMe(server, planted)).status, 401, 'the planted session was ended, not promoted')
  // A cookie value the attacker made up never becomes a session either.
  const madeUp = 'parley=' + 'A'.repeat(80)
  const again = await app.request(server, 'POST', '/api/login', { cookie: madeUp, body: { username: 'victim', password: 'correct horse' } })
  t.not(again.cookie, madeUp)
  t.equal((await appMe(server, madeUp)).status, 401)
})

t.test('replay after logout: the old cookie gets 401 on /api/me and on /ws', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'alice')
  t.equal((await me(server, cookie)).status, 200)
  t.equal((await request(server, 'POST', '/api/logout', { cookie })).status, 204)
  t.equal((await me(server, cookie)).status, 401)
  t.equal(await refusal(connect(server, cookie)), 401)
  t.equal((await request(server, 'GET', '/api/sessions', { cookie })).status, 401)
  t.equal((await request(server, 'POST', '/api/logout-all', { cookie })).status, 401)
})

t.test('tampered cookie: a flipped byte or another server\'s cookie -> 401', async (t) => {
  const server = await startServer(t)
  const other = await startServer(t)
  const cookie = await signUp(server, 'alice')
  const [name, value] = cookie.split('=') as [string, string]
  const i = Math.floor(value.length / 2)
  const flipped = `${name}=${value.slice(0, i)}${value[i] === 'A' ? 'B' : 'A'}${value.slice(i + 1)}`
  t.equal((await me(server, flipped)).status, 401, 'flipped byte')
  t.equal(await refusal(connect(server, flipped)), 401, 'flipped byte on /ws')
  t.equal((await me(server, `${name}=${value.slice(0, -4)}`)).status, 401, 'truncated')
  const foreign = await signUp(other, 'alice')
  t.equal((await me(server, foreign)).status, 401, 'a cookie sealed with another key')
  t.equal((await me(server, cookie)).status, 200, 'the genuine cookie still works')
})

t.test('a revoked session\'s sockets close with 4001 at once; other sessions stay', async (t) => {
  const server = await startServer(t)
  const laptop = await signUp(server, 'alice')
  const phone = await logIn(server, 'alice')
  const phoneTab = await connect(server, phone)
  const laptopTab = await connect(server, laptop)
  await phoneTab.next('welcome')
  await laptopTab.next('welcome')
  const list = (await request(server, 'GET', '/api/sessions', { cookie: laptop })).body.sessions
  const target = list.find((s: { current: boolean }) => !s.current)
  const started = Date.now()
  t.equal((await request(server, 'DELETE', `/api/sessions/${target.id}`, { cookie: laptop })).status, 204)
  t.same(await phoneTab.waitClose(1000), { code: 4001, reason: 'logout' })
  t.ok(Date.now() - started < 1000, 'closed at once, not at the next sweep')
  t.equal((await me(server, phone)).status, 401)
  t.notOk(laptopTab.closed, 'the current session keeps its socket')
  laptopTab.ws.close()
})

t.test('logout-all and a password change close every other session\'s sockets with 4001', async (t) => {
  const server = await startServer(t)
  const a = await signUp(server, 'alice')
  const b = await logIn(server, 'alice')
  const bTab = await connect(server, b)
  await bTab.next('welcome')
  t.same((await request(server, 'POST', '/api/logout-all', { cookie: a })).body, { ended: 1 })
  t.same(await bTab.waitClose(1000), { code: 4001, reason: 'logout' })
  const c = await logIn(server, 'alice')
  const cTab = await connect(server, c)
  await cTab.next('welcome')
  const res = await request(server, 'POST', '/api/password', { cookie: a, body: { oldPassword: 'correct horse', newPassword: 'battery staple' } })
  t.same(res.body, { ended: 1 })
  t.same(await cTab.waitClose(1000), { code: 4001, reason: 'logout' })
  t.equal((await me(server, c)).status, 401)
  t.equal((await me(server, a)).status, 200, 'the session that changed it stays')
})

t.test('CSRF: session routes refuse a foreign Origin with 403 forbidden_origin and change nothing', async (t) => {
  const server = await app.buildTestApp(t)
  const a = await app.signUp(server, 'alice')
  const b = await app.logIn(server, 'alice')
  const headers = { origin: 'https://evil.example' }
  const target = (await app.request(server, 'GET', '/api/sessions', { cookie: a })).body.sessions.find((s: { current: boolean }) => !s.current)
  const attempts = [
    await app.request(server, 'DELETE', `/api/sessions/${target.id}`, { cookie: a, headers }),
    await app.request(server, 'POST', '/api/logout-all', { cookie: a, headers }),
    await app.request(server, 'POST', '/api/password', { cookie: a, headers, body: { oldPassword: 'correct horse', newPassword: 'evil password' } })
  ]
  for (const res of attempts) t.match(res, { status: 403, body: { code: 'forbidden_origin' } })
  t.equal((await appMe(server, b)).status, 200, 'the other session is still live')
  t.ok(await app.logIn(server, 'alice'), 'the password is unchanged')
  const same = await app.request(server, 'POST', '/api/logout-all', { cookie: a, headers: { origin: server.origin } })
  t.equal(same.status, 200, 'the page\'s own origin may')
})

t.test('another user\'s session id -> 404 not_found, indistinguishable from an unknown one', async (t) => {
  const server = await app.buildTestApp(t)
  const alice = await app.signUp(server, 'alice')
  const bob = await app.signUp(server, 'bob')
  const bobsId = (await app.request(server, 'GET', '/api/sessions', { cookie: bob })).body.sessions[0].id
  const theirs = await app.request(server, 'DELETE', `/api/sessions/${bobsId}`, { cookie: alice })
  const unknown = await app.request(server, 'DELETE', `/api/sessions/${'x'.repeat(16)}`, { cookie: alice })
  t.match(theirs, { status: 404, body: { code: 'not_found' } })
  t.same(theirs.body, unknown.body)
  t.equal((await appMe(server, bob)).status, 200, "bob's session is untouched")
  const list = (await app.request(server, 'GET', '/api/sessions', { cookie: alice })).body.sessions
  t.equal(list.length, 1, 'alice sees only her own sessions')
})
