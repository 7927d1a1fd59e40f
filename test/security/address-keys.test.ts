// One address key everywhere (issue 16, finding 7): three addresses of one IPv6 /64 together get
// one address's allowance of registrations, failed logins, guests, tickets and chat sockets; another
// /64 has its own. Loopback has only ::1, so the clients come through a (trusted) proxy that names
// them in X-Forwarded-For, as behind a real one (TRUST_PROXY=true: one hop).
import t from 'tap'
import { connect, embedCookie, PASSWORD, refusal, request, type Response, signUp } from '../helpers/clients.js'
import { startServer, type TestServer } from '../helpers/server.js'

const SITE = 'https://shop.example'
/** Three addresses of one /64, and one of the next /64. */
const SAME_64 = ['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:db8:1:2:ffff:ffff:ffff:c']
const OTHER_64 = '2001:db8:1:3::a'
const base = { trustProxy: true, embedOrigins: [SITE], embedGuests: [SITE] }

const from = (address: string) => ({ 'x-forwarded-for': address })
const post = (server: TestServer, path: string, body: unknown, address: string, cookie?: string) =>
  request(server, 'POST', path, { body, headers: from(address), ...(cookie ? { cookie } : {}) })
t.test('registrations: three addresses of one /64 share REGISTRATIONS_PER_HOUR', async (t) => {
  const server = await startServer(t, { ...base, registrationsPerHour: 2 })
  const register = (name: string, address: string) => post(server, '/api/register', { username: name, password: PASSWORD }, address)
  t.equal((await register('ann', SAME_64[0]!)).status, 201)
  t.equal((await register('ben', SAME_64[1]!)).status, 201)
  const third = await register('cat', SAME_64[2]!)
  t.equal(third.status, 429, 'the third address of the /64 has nothing left')
  t.match(third.body, { code: 'rate_limited', message: /registrations from this address/ })
  t.equal((await register('dan', OTHER_64)).status, 201, 'another /64 has its own')
})

t.test('failed logins: three addresses of one /64 share LOGIN_FAILURES_PER_MIN', async (t) => {
  const server = await startServer(t, { ...base, loginFailuresPerMin: 2 })
  const guess = (name: string, address: string) => post(server, '/api/login', { username: name, password: 'wrong guess' }, address)
  t.equal((await guess('u1', SAME_64[0]!)).status, 401)
  t.equal((await guess('u2', SAME_64[1]!)).status, 401)
  const third = await guess('u3', SAME_64[2]!)
  t.equal(third.status, 429)
  t.match(third.body, { code: 'rate_limited', message: /failed logins from this address/ })
  t.equal((await guess('u4', OTHER_64)).status, 401, 'another /64 has its own')
})

t.test('guests: three addresses of one /64 share MAX_GUESTS_PER_IP and GUESTS_PER_IP_PER_HOUR', async (t) => {
  const server = await startServer(t, { ...base, maxGuestsPerIp: 2, guestsPerIpPerHour: 3 })
  const guest = (address: string) => post(server, '/api/embed/guest', { site: SITE }, address)
  const first = await guest(SAME_64[0]!)
  t.equal(first.status, 200)
  const second = await guest(SAME_64[1]!)
  t.equal(second.status, 200)
  const live = await guest(SAME_64[2]!)
  t.equal(live.status, 429, 'two live guests of the /64')
  t.match(live.body, { code: 'too_many_guests', message: /At most 2 guest sessions per address/ })
  t.equal((await guest(OTHER_64)).status, 200, 'another /64 has its own')
  const end = async (res: Response) => server.app.sessions.end((await server.app.sessions.list(res.body.username))[0]!.id, 'logout')
  await end(first)
  t.equal((await guest(SAME_64[2]!)).status, 200, 'a slot given back: the third new guest of the hour')
  await end(second)
  const hourly = await guest(SAME_64[0]!)
  t.equal(hourly.status, 429)
  t.match(hourly.body, { code: 'too_many_guests', message: /Too many new guests from this address/ }, 'the /64 has had its three an hour')
})

t.test('tickets: three addresses of one /64 share TICKETS_PER_IP_PER_MIN', async (t) => {
  const server = await startServer(t, { ...base, ticketsPerIpPerMin: 3 })
  const guest = await post(server, '/api/embed/guest', { site: SITE }, SAME_64[0]!) // ticket 1
  const cookie = embedCookie(guest)!
  t.equal((await post(server, '/api/embed/ticket', { site: SITE }, SAME_64[1]!, cookie)).status, 200)
  t.equal((await post(server, '/api/embed/ticket', { site: SITE }, SAME_64[2]!, cookie)).status, 200)
  const over = await post(server, '/api/embed/ticket', { site: SITE }, SAME_64[0]!, cookie)
  t.equal(over.status, 429)
  t.match(over.body, { code: 'rate_limited', message: /tickets from this address/ })
  t.equal((await post(server, '/api/embed/ticket', { site: SITE }, OTHER_64, cookie)).status, 200, 'another /64 has its own')
})

t.test("chat sockets: three addresses of one /64 share MAX_SOCKETS_PER_IP, and a site's guests there one limit key", async (t) => {
  const server = await startServer(t, { ...base, maxSocketsPerIp: 2, maxGuestsPerIp: 5 })
  const cookie = await signUp(server, 'alice')
  const open = async (address: string, withCookie = cookie) => {
    const client = await connect(server, withCookie, { headers: from(address) })
    t.teardown(() => client.ws.close())
    return client
  }
  await open(SAME_64[0]!)
  await open(SAME_64[1]!)
  t.equal(await refusal(connect(server, cookie, { headers: from(SAME_64[2]!) })), 429, 'MAX_SOCKETS_PER_IP counts the /64')
  t.equal(await refusal(connect(server, cookie, { headers: from(OTHER_64) })), 'open', 'another /64 has its own')

  const guests = await startServer(t, { ...base, maxSocketsPerUser: 1, maxGuestsPerIp: 5 })
  const a = await post(guests, '/api/embed/guest', { site: SITE }, SAME_64[0]!)
  const b = await post(guests, '/api/embed/guest', { site: SITE }, SAME_64[1]!)
  const first = await connect(guests, embedCookie(a), { headers: from(SAME_64[0]!) })
  t.teardown(() => first.ws.close())
  t.equal((await first.next('welcome')).user, a.body.username)
  t.equal(guests.app.chatHub.countUser(`guest|${SITE}|2001:db8:1:2::/64`), 1, 'counted under the /64')
  t.equal(await refusal(connect(guests, embedCookie(b), { headers: from(SAME_64[2]!) })), 429, 'another guest of the /64 shares its socket cap')
})
