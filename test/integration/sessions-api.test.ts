import t from 'tap'
import { buildTestApp, logIn, PASSWORD, request, signUp } from '../helpers/app.js'

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'

t.test('GET /api/sessions lists the user\'s live sessions with the current one marked, never a secret', async (t) => {
  const server = await buildTestApp(t)
  const first = await signUp(server, 'alice')
  const login = await request(server, 'POST', '/api/login', {
    body: { username: 'alice', password: PASSWORD },
    headers: { 'user-agent': FIREFOX }
  })
  const second = login.cookie!
  await signUp(server, 'bob')
  const res = await request(server, 'GET', '/api/sessions', { cookie: second })
  t.equal(res.status, 200)
  const sessions = res.body.sessions
  t.equal(sessions.length, 2, 'only alice\'s sessions')
  const [older, newer] = sessions
  t.match(newer, { current: true, address: '127.0.0.1', browser: 'Firefox' })
  t.match(older, { current: false, browser: 'other' })
  for (const s of sessions) {
    t.match(s.id, /^[A-Za-z0-9_-]{16}$/)
    t.ok(s.createdAt <= Date.now() && s.lastActive >= s.createdAt)
    t.same(Object.keys(s).sort(), ['address', 'browser', 'createdAt', 'current', 'id', 'lastActive'])
  }
  const text = JSON.stringify(res.body)
  for (const cookie of [first, second]) t.notOk(text.includes(cookie.split('=')[1]!), 'no cookie in the answer')
  const tokens = server.app.sessions
  t.ok(tokens, 'registry present')
  t.equal((await request(server, 'GET', '/api/sessions')).status, 401, 'needs a session')
})

t.test('DELETE /api/sessions/:id: 400 malformed, 404 unknown, 204 ends it; ending the current one logs out', async (t) => {
  const server = await buildTestApp(t)
  const a = await signUp(server, 'alice')
  const b = await logIn(server, 'alice')
  const list = (await request(server, 'GET', '/api/sessions', { cookie: a })).body.sessions
  const other = list.find((s: { current: boolean }) => !s.current)
  const mine = list.find((s: { current: boolean }) => s.current)
  t.match(await request(server, 'DELETE', '/api/sessions/short', { cookie: a }), { status: 400, body: { code: 'invalid_request' } })
  t.match(await request(server, 'DELETE', `/api/sessions/${'%2F'.repeat(16)}`, { cookie: a }), { status: 400 })
  t.match(await request(server, 'DELETE', `/api/sessions/${'a'.repeat(16)}`, { cookie: a }), { status: 404, body: { code: 'not_found' } })
  t.equal((await request(server, 'DELETE', `/api/sessions/${other.id}`)).status, 401, 'needs a session')
  t.equal((await request(server, 'DELETE', `/api/sessions/${other.id}`, { cookie: a })).status, 204)
  t.equal((await request(server, 'GET', '/api/me', { cookie: b })).status, 401)
  t.equal((await request(server, 'DELETE', `/api/sessions/${other.id}`, { cookie: a })).status, 404, 'already ended')
  t.equal((await request(server, 'DELETE', `/api/sessions/${mine.id}`, { cookie: a })).status, 204)
  t.equal((await request(server, 'GET', '/api/me', { cookie: a })).status, 401, 'ending the current session logs out')
})

t.test('POST /api/logout-all ends every other session and keeps the current one', async (t) => {
  const server = await buildTestApp(t)
  const a = await signUp(server, 'alice')
  const others = [await logIn(server, 'alice'), await logIn(server, 'alice')]
  const bob = await signUp(server, 'bob')
  t.same((await request(server, 'POST', '/api/logout-all', { cookie: a })).body, { ended: 2 })
  for (const c of others) t.equal((await request(server, 'GET', '/api/me', { cookie: c })).status, 401)
  t.equal((await request(server, 'GET', '/api/me', { cookie: a })).status, 200)
  t.equal((await request(server, 'GET', '/api/me', { cookie: bob })).status, 200, 'other users untouched')
  t.same((await request(server, 'POST', '/api/logout-all', { cookie: a })).body, { ended: 0 })
})

t.test('POST /api/password: old password required, new one checked, other sessions ended', async (t) => {
  const server = await buildTestApp(t)
  const a = await signUp(server, 'alice')
  const b = await logIn(server, 'alice')
  const change = (body: unknown, cookie = a) => request(server, 'POST', '/api/password', { cookie, body })
  t.match(await change({ oldPassword: 'wrong password', newPassword: 'battery staple' }), { status: 401, body: { code: 'invalid_credentials' } })
  t.match(await change({ oldPassword: PASSWORD, newPassword: 'short' }), { status: 400, body: { code: 'invalid_password' } })
  t.match(await change({ oldPassword: PASSWORD, newPassword: 'alice' + 'ALICE'.toLowerCase() }), { status: 200 }, 'sanity: another valid one works')
  // The password is now 'alicealice'; change it again with the new old password.
  t.match(await change({ oldPassword: PASSWORD, newPassword: 'battery staple' }), { status: 401 }, 'the previous password no longer counts')
  t.match(await change({ oldPassword: 'alicealice', newPassword: 'alice' }), { status: 400, body: { code: 'invalid_password' } }, 'not the username')
  t.match(await change({ oldPassword: 'alicealice' }), { status: 400, body: { code: 'invalid_request' } })
  t.match(await change({ oldPassword: 'alicealice', newPassword: 'battery staple', extra: 1 }), { status: 400 })
  const anonymous = await request(server, 'POST', '/api/password', { body: { oldPassword: 'alicealice', newPassword: 'battery staple' } })
  t.match(anonymous, { status: 401, body: { code: 'unauthorized' } }, 'needs a session')
  t.same((await change({ oldPassword: 'alicealice', newPassword: 'battery staple' })).body, { ended: 0 }, 'b already ended by the first change')
  t.equal((await request(server, 'GET', '/api/me', { cookie: b })).status, 401)
  t.equal((await request(server, 'GET', '/api/me', { cookie: a })).status, 200)
  const old = await request(server, 'POST', '/api/login', { body: { username: 'alice', password: PASSWORD } })
  t.equal(old.status, 401, 'the old password no longer logs in')
  t.ok(await logIn(server, 'alice', 'battery staple'), 'the new one does')
})

t.test('a wrong old password counts as a failed login for the rate limit', async (t) => {
  const server = await buildTestApp(t, { loginFailuresPerMin: 2 })
  const a = await signUp(server, 'alice')
  const wrong = { oldPassword: 'wrong password', newPassword: 'battery staple' }
  t.equal((await request(server, 'POST', '/api/password', { cookie: a, body: wrong })).status, 401)
  t.equal((await request(server, 'POST', '/api/password', { cookie: a, body: wrong })).status, 401)
  const limited = await request(server, 'POST', '/api/password', { cookie: a, body: { ...wrong, oldPassword: PASSWORD } })
  t.match(limited, { status: 429, body: { code: 'rate_limited' } })
  t.ok(Number(limited.headers['retry-after']) >= 1)
  t.equal((await request(server, 'POST', '/api/login', { body: { username: 'alice', password: PASSWORD } })).status, 429, 'and logins from there wait too')
})
