// Password guessing: per address, per (account, address) pair, per account; proxies.
import t from 'tap'
import { buildTestApp, logIn, PASSWORD, request, signUp } from '../helpers/app.js'

const guess = (server: Parameters<typeof request>[0], username: string, i: number, localAddress?: string, headers?: Record<string, string>) =>
  request(server, 'POST', '/api/login', { body: { username, password: `guess number ${i}` }, ...(localAddress ? { localAddress } : {}), ...(headers ? { headers } : {}) })

t.test('guesses against one account from 20 addresses stop at the per-account ceiling; the owner still gets in from home', async (t) => {
  const server = await buildTestApp(t, { accountLoginFailuresPerHour: 20 })
  await signUp(server, 'alice') // from 127.0.0.1: alice's known address
  const statuses: number[] = []
  // 20 addresses x 4 guesses: below each pair's free failures and each address's limit.
  await Promise.all(
    Array.from({ length: 20 }, async (_, n) => {
      for (let i = 0; i < 4; i++) statuses.push((await guess(server, 'alice', i, `127.0.0.${n + 10}`)).status)
    })
  )
  t.equal(statuses.filter((s) => s === 401).length, 20, 'exactly the ceiling was checked')
  t.equal(statuses.filter((s) => s === 429).length, 60, 'the rest refused')
  const refused = await guess(server, 'alice', 99, '127.0.0.99')
  t.equal(refused.status, 429)
  t.match(refused.body, { code: 'rate_limited', message: /for this account; try again in \d+ s/ })
  t.ok(Number(refused.headers['retry-after']) >= 1 && Number(refused.headers['retry-after']) <= 180, 'one more every 3 min at 20/h')
  t.ok(await logIn(server, 'alice'), 'from her known address alice logs in despite the attack')
  t.equal((await guess(server, 'bob', 1, '127.0.0.99')).status, 401, 'other accounts are not affected')
})

t.test('the per-account ceiling defaults to 100 failures an hour (ASVS)', async (t) => {
  const server = await buildTestApp(t)
  t.equal(server.config.accountLoginFailuresPerHour, 100)
  t.equal(server.config.loginFailuresPerMin, 1000, 'tests raise the per-address limit; its default is 10')
})

t.test('guesses against one account from one address get a growing delay; the owner elsewhere is not slowed', async (t) => {
  const server = await buildTestApp(t)
  await signUp(server, 'alice')
  const statuses: number[] = []
  for (let i = 0; i < 6; i++) statuses.push((await guess(server, 'alice', i, '127.0.0.66')).status)
  t.same(statuses, [401, 401, 401, 401, 401, 429], 'five free failures per account and address')
  const delayed = await guess(server, 'alice', 7, '127.0.0.66')
  t.match(delayed.body, { code: 'rate_limited', message: /for this account from this address/ })
  t.equal(delayed.headers['retry-after'], '1', 'first delay: 1 s')
  const owner = await request(server, 'POST', '/api/login', { body: { username: 'alice', password: PASSWORD }, localAddress: '127.0.0.7' })
  t.equal(owner.status, 200, 'another address logs in at once')
  await new Promise((r) => setTimeout(r, 1050))
  t.equal((await guess(server, 'alice', 8, '127.0.0.66')).status, 401, 'one more guess after the delay')
  const next = await guess(server, 'alice', 9, '127.0.0.66')
  t.equal(next.status, 429)
  t.equal(next.headers['retry-after'], '2', 'the delay doubles')
})

t.test('guesses from one address are limited per address over all accounts (LOGIN_FAILURES_PER_MIN)', async (t) => {
  const server = await buildTestApp(t, { loginFailuresPerMin: 5 })
  const statuses: number[] = []
  for (let i = 0; i < 7; i++) statuses.push((await guess(server, `victim${i}`, i, '127.0.0.50')).status)
  t.same(statuses, [401, 401, 401, 401, 401, 429, 429])
  t.equal((await guess(server, 'victim0', 1, '127.0.0.51')).status, 401, 'other addresses are not limited')
})

t.test('concurrent correct logins are never refused, however many exceed the failure budget', async (t) => {
  const server = await buildTestApp(t, { loginFailuresPerMin: 2 })
  await signUp(server, 'alice')
  const answers = await Promise.all(Array.from({ length: 30 }, () => request(server, 'POST', '/api/login', { body: { username: 'alice', password: PASSWORD } })))
  t.same(answers.map((a) => a.status), Array(30).fill(200))
})

t.test('a burst of concurrent wrong guesses is checked exactly up to the budget', async (t) => {
  const server = await buildTestApp(t, { loginFailuresPerMin: 3 })
  await signUp(server, 'alice')
  const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => guess(server, `user${i}`, i)))
  const statuses = answers.map((a) => a.status).sort()
  t.same(statuses, [...Array(3).fill(401), ...Array(12).fill(429)])
})

t.test('TRUST_PROXY: limits see the address the proxy saw; off, X-Forwarded-For is ignored', async (t) => {
  const proxied = await buildTestApp(t, { loginFailuresPerMin: 2, trustProxy: true })
  const viaProxy = (i: number, xff: string) => guess(proxied, `u${i}`, i, undefined, { 'x-forwarded-for': xff })
  t.same([(await viaProxy(1, '203.0.113.5')).status, (await viaProxy(2, '203.0.113.5')).status, (await viaProxy(3, '203.0.113.5')).status], [401, 401, 429])
  t.equal((await viaProxy(4, '203.0.113.6')).status, 401, 'another client behind the proxy is not limited')
  t.equal((await viaProxy(5, '198.51.100.1, 203.0.113.5')).status, 429, 'a client-written X-Forwarded-For entry does not help')

  const direct = await buildTestApp(t, { loginFailuresPerMin: 2 })
  const spoof = (i: number) => guess(direct, `u${i}`, i, undefined, { 'x-forwarded-for': `203.0.113.${i}` })
  t.same([(await spoof(1)).status, (await spoof(2)).status, (await spoof(3)).status], [401, 401, 429], 'off by default: the socket address counts')
})
