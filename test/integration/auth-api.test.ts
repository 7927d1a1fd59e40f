import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startServer } from '../helpers/server.js'
import { request as tlsRequest, signUp as tlsSignUp } from '../helpers/clients.js'
import { buildTestApp, logIn, PASSWORD, request, signUp } from '../helpers/app.js'

t.test('register -> 201, login -> 200 with a hardened session cookie, me -> username', async (t) => {
  const server = await buildTestApp(t)
  const reg = await request(server, 'POST', '/api/register', { body: { username: 'alice', password: PASSWORD } })
  t.equal(reg.status, 201)
  t.same(reg.body, { username: 'alice' })

  const login = await request(server, 'POST', '/api/login', { body: { username: 'alice', password: PASSWORD } })
  t.equal(login.status, 200)
  t.same(login.body, { username: 'alice' })
  const setCookie = String(login.headers['set-cookie'])
  t.match(setCookie, /^__Host-parley=/)
  for (const attr of [/; Secure/i, /; HttpOnly/i, /; SameSite=Strict/i, /; Path=\//, /; Max-Age=28800/]) t.match(setCookie, attr)

  const me = await request(server, 'GET', '/api/me', { cookie: login.cookie })
  t.equal(me.status, 200)
  t.same(me.body, { username: 'alice' })
})

t.test('usernames are case-insensitive and NFC-normalised', async (t) => {
  const server = await buildTestApp(t)
  await signUp(server, 'Zoe\u0301') // decomposed é
  const again = await request(server, 'POST', '/api/register', { body: { username: 'zoé', password: PASSWORD } })
  t.equal(again.status, 409)
  t.equal(again.body.code, 'username_taken')
  t.match(again.body.message, /taken/)
  const login = await request(server, 'POST', '/api/login', { body: { username: 'ZOÉ', password: PASSWORD } })
  t.equal(login.status, 200)
  t.same(login.body, { username: 'Zoé' }, 'the registered spelling, composed')
})

t.test('bad usernames and passwords get 400 with their codes and create nothing', async (t) => {
  const server = await buildTestApp(t)
  const cases: [unknown, number, string][] = [
    [{ username: 'ab', password: PASSWORD }, 400, 'invalid_username'],
    [{ username: 'x'.repeat(33), password: PASSWORD }, 400, 'invalid_username'],
    [{ username: '<script>', password: PASSWORD }, 400, 'invalid_username'],
    [{ username: 'bob smith', password: PASSWORD }, 400, 'invalid_username'],
    [{ username: 'bob', password: 'short' }, 400, 'invalid_password'],
    [{ username: 'bob', password: 'p'.repeat(129) }, 400, 'invalid_password'],
    [{ username: 'bobby123', password: 'BOBBY123' }, 400, 'invalid_password'],
    [{ username: 'bob' }, 400, 'invalid_request'],
    [{ username: 'bob', password: PASSWORD, admin: true }, 400, 'invalid_request'],
    [{ username: 5, password: PASSWORD }, 400, 'invalid_request']
  ]
  for (const [body, status, code] of cases) {
    const res = await request(server, 'POST', '/api/register', { body })
    t.equal(res.status, status, JSON.stringify(body))
    t.equal(res.body.code, code, JSON.stringify(body))
    t.type(res.body.message, 'string')
  }
  const notJson = await request(server, 'POST', '/api/register', { raw: '{"username":', headers: { 'content-type': 'application/json' } })
  t.equal(notJson.status, 400)
  t.equal(notJson.body.code, 'invalid_request')
  const huge = await request(server, 'POST', '/api/register', { body: { username: 'bob', password: 'x'.repeat(20_000) } })
  t.equal(huge.status, 413)
  t.equal(huge.body.code, 'invalid_request')
  const store = JSON.parse(await readFile(join(server.dataDir, 'users.json'), 'utf8').catch(() => '{"users":{}}'))
  t.same(Object.keys(store.users), [], 'nothing was stored')
})

t.test('login: unknown user and wrong password get the same 401', async (t) => {
  const server = await buildTestApp(t)
  await signUp(server, 'alice')
  const wrong = await request(server, 'POST', '/api/login', { body: { username: 'alice', password: 'wrong password' } })
  const unknown = await request(server, 'POST', '/api/login', { body: { username: 'nobody', password: 'wrong password' } })
  const invalid = await request(server, 'POST', '/api/login', { body: { username: '<x>', password: 'wrong password' } })
  for (const res of [wrong, unknown, invalid]) {
    t.equal(res.status, 401)
    t.same(res.body, { code: 'invalid_credentials', message: 'Wrong username or password.' })
    t.notOk(res.headers['set-cookie'], 'no cookie on failure')
  }
})

t.test('login: unknown users take about as long as wrong passwords (real scrypt cost)', async (t) => {
  const server = await startServer(t, { scryptCost: 2 ** 14 })
  await tlsSignUp(server, 'alice')
  const time = async (username: string) => {
    const start = process.hrtime.bigint()
    await tlsRequest(server, 'POST', '/api/login', { body: { username, password: 'wrong password' } })
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const known: number[] = []
  const unknown: number[] = []
  for (let i = 0; i < 5; i++) {
    known.push(await time('alice'))
    unknown.push(await time(`ghost${i}`))
  }
  const ratio = median(unknown) / median(known)
  // Without the dummy hash the ratio would be ~0.02; the wide band tolerates a noisy machine.
  t.ok(ratio > 0.25 && ratio < 4, `unknown/known median time ratio ${ratio.toFixed(2)}`)
})

t.test('every login starts a fresh session; logout ends it for good', async (t) => {
  const server = await buildTestApp(t)
  const first = await signUp(server, 'alice')
  const second = await logIn(server, 'alice')
  t.not(first, second)
  t.equal((await request(server, 'GET', '/api/me', { cookie: first })).status, 200, 'other sessions stay')

  const out = await request(server, 'POST', '/api/logout', { cookie: second })
  t.equal(out.status, 204)
  t.match(String(out.headers['set-cookie']), /__Host-parley=;/, 'cookie cleared')
  const me = await request(server, 'GET', '/api/me', { cookie: second })
  t.equal(me.status, 401)
  t.same(me.body.code, 'unauthorized')

  const anon = await request(server, 'POST', '/api/logout')
  t.equal(anon.status, 204, 'logout without a session is a no-op')
})

t.test('a forged or tampered cookie is no session', async (t) => {
  const server = await buildTestApp(t)
  const cookie = await signUp(server, 'alice')
  const [name, value] = cookie.split('=') as [string, string]
  const flipped = value.slice(0, 10) + (value[10] === 'A' ? 'B' : 'A') + value.slice(11)
  for (const c of [`${name}=${flipped}`, `${name}=garbage`, '__Host-parley=']) {
    t.equal((await request(server, 'GET', '/api/me', { cookie: c })).status, 401, c.slice(0, 20))
  }
})

t.test('sessions end at their absolute lifetime', async (t) => {
  const server = await buildTestApp(t, { sessionTtlMs: 1000 })
  const cookie = await signUp(server, 'alice')
  t.equal((await request(server, 'GET', '/api/me', { cookie })).status, 200)
  await new Promise((r) => setTimeout(r, 1100))
  t.equal((await request(server, 'GET', '/api/me', { cookie })).status, 401)
})

t.test('POSTs from a foreign Origin are refused with 403 forbidden_origin', async (t) => {
  const server = await buildTestApp(t, { allowedOrigins: ['https://partner.example'] })
  const evil = await request(server, 'POST', '/api/register', {
    body: { username: 'mallory', password: PASSWORD },
    headers: { origin: 'https://evil.example' }
  })
  t.equal(evil.status, 403)
  t.equal(evil.body.code, 'forbidden_origin')
  const ok = await request(server, 'POST', '/api/register', {
    body: { username: 'partner', password: PASSWORD },
    headers: { origin: 'https://partner.example' }
  })
  t.equal(ok.status, 201)
  const own = await request(server, 'POST', '/api/register', {
    body: { username: 'own', password: PASSWORD },
    headers: { origin: server.origin }
  })
  t.equal(own.status, 201)
})

t.test('unknown routes get a JSON 404; responses carry HSTS and a strict CSP', async (t) => {
  const server = await buildTestApp(t)
  const res = await request(server, 'GET', '/api/nope')
  t.equal(res.status, 404)
  t.equal(res.body.code, 'not_found')
  t.match(String(res.headers['strict-transport-security']), /max-age=\d+/)
  t.match(String(res.headers['content-security-policy']), /script-src 'self'/)
})

t.test('accounts and live sessions survive a restart', async (t) => {
  const dir = t.testdir({})
  const first = await buildTestApp(t, {}, dir)
  const cookie = await signUp(first, 'alice')
  await first.app.close()
  const second = await buildTestApp(t, {}, dir)
  t.equal((await request(second, 'GET', '/api/me', { cookie })).status, 200, 'the session is still live')
  t.ok(await logIn(second, 'alice'), 'same password still works')
  const dup = await request(second, 'POST', '/api/register', { body: { username: 'ALICE', password: PASSWORD } })
  t.equal(dup.status, 409)
  await second.app.close()
})

t.test('password guessing is limited per address: 429 rate_limited after LOGIN_FAILURES_PER_MIN failures', async (t) => {
  const server = await buildTestApp(t, { loginFailuresPerMin: 3 })
  await signUp(server, 'alice')
  for (let i = 0; i < 3; i++) await logIn(server, 'alice') // successes never count
  const statuses: number[] = []
  for (let i = 0; i < 4; i++) {
    statuses.push((await request(server, 'POST', '/api/login', { body: { username: 'alice', password: `guess ${i}xx` } })).status)
  }
  t.same(statuses, [401, 401, 401, 429])
  const limited = await request(server, 'POST', '/api/login', { body: { username: 'alice', password: PASSWORD } })
  t.equal(limited.status, 429, 'even the right password waits')
  t.equal(limited.body.code, 'rate_limited')
  t.match(limited.body.message, /try again in \d+ s/)
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After header')
  const reg = await request(server, 'POST', '/api/register', { body: { username: 'bob', password: PASSWORD } })
  t.equal(reg.status, 201, 'registration is not limited by failed logins')
})

t.test('a burst of concurrent guesses cannot slip past the failed-login limit', async (t) => {
  const server = await buildTestApp(t, { loginFailuresPerMin: 3 })
  await signUp(server, 'alice')
  const answers = await Promise.all(
    Array.from({ length: 12 }, (_, i) => request(server, 'POST', '/api/login', { body: { username: 'alice', password: `guess ${i}xx` } }))
  )
  const statuses = answers.map((a) => a.status).sort()
  t.same(statuses, [...Array(3).fill(401), ...Array(9).fill(429)])
})

t.test('200 concurrent registrations over HTTPS are all acknowledged and all on disk', async (t) => {
  // 200 connections at once from one address: above the per-address defaults on purpose.
  const server = await startServer(t, { maxConnectionsPerIp: 256, connectionsPerIpPerMin: 1000 })
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) => tlsRequest(server, 'POST', '/api/register', { body: { username: `user${i}`, password: PASSWORD } }))
  )
  t.equal(answers.filter((a) => a.status === 201).length, 200)
  const users = JSON.parse(await readFile(join(server.dataDir, 'users.json'), 'utf8')).users
  t.equal(Object.keys(users).length, 200)
})

t.test('GET /api/session answers 200 either way: the user, or null without a valid session', async (t) => {
  const server = await buildTestApp(t)
  const anonymous = await request(server, 'GET', '/api/session')
  t.equal(anonymous.status, 200, 'no 401 for a visitor (the page start-up keeps the console clean)')
  t.same(anonymous.body, { user: null })
  const cookie = await signUp(server, 'alice')
  t.same((await request(server, 'GET', '/api/session', { cookie })).body, { user: { username: 'alice' } })
  await request(server, 'POST', '/api/logout', { cookie })
  t.same((await request(server, 'GET', '/api/session', { cookie })).body, { user: null }, 'an ended session is nobody')
})
