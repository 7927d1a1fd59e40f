// Widget tickets are bounded (issue 16, finding 8): per session and per address (429 rate_limited
// with Retry-After), at most TICKETS_PER_SESSION live per session (a new one revokes the oldest)
// and MAX_TICKETS live in total (503 busy). Real TLS, real sockets.
import t from 'tap'
import { connect, embedCookie, request, type Response } from '../helpers/clients.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { TICKETS_PER_SESSION } from '../../plugins/app/embed.js'

const SITE = 'https://shop.example'
const embed = { embedOrigins: [SITE], embedGuests: [SITE], maxGuestsPerIp: 10 }

/** A guest: its cookie and the ticket it started with. */
async function guest(server: TestServer, localAddress: string) {
  const res = await request(server, 'POST', '/api/embed/guest', { body: { site: SITE }, localAddress })
  if (res.status !== 200) throw new Error(`guest: ${res.status} ${JSON.stringify(res.body)}`)
  return { cookie: embedCookie(res)!, ticket: res.body.ticket as string }
}

const ticket = (server: TestServer, cookie: string, localAddress: string) =>
  request(server, 'POST', '/api/embed/ticket', { body: { site: SITE }, cookie, localAddress })

/** Redeems a ticket on a cookieless widget socket: the welcome's user, or the close code. */
async function redeem(server: TestServer, value: string, localAddress: string): Promise<string | number> {
  const client = await connect(server, undefined, { localAddress })
  client.send({ type: 'auth', ticket: value })
  const outcome = await Promise.race([client.next('welcome').then((f) => f.user as string), client.waitClose().then((c) => c.code)])
  client.ws.close()
  return outcome
}

t.test('tickets per session are limited (TICKETS_PER_SESSION_PER_MIN) -> 429 rate_limited with Retry-After; another session at the address is not', async (t) => {
  const server = await startServer(t, { ...embed, ticketsPerSessionPerMin: 3 })
  const g = await guest(server, '127.0.0.61') // its first ticket counts
  for (let i = 0; i < 2; i++) t.equal((await ticket(server, g.cookie, '127.0.0.61')).status, 200)
  const over = await ticket(server, g.cookie, '127.0.0.61')
  t.equal(over.status, 429)
  t.match(over.body, { code: 'rate_limited', message: /Too many tickets for this session; try again in \d+ s/ })
  const retry = Number(over.headers['retry-after'])
  t.ok(retry >= 1 && retry <= 20, `Retry-After ${retry} s (one every 20 s at 3/min)`)
  const other = await guest(server, '127.0.0.61')
  t.equal((await ticket(server, other.cookie, '127.0.0.61')).status, 200, "another session's allowance is its own")
  const defaults = await startServer(t, embed)
  t.match(defaults.config, { ticketsPerSessionPerMin: 10, ticketsPerIpPerMin: 120, maxTickets: 10_000 }, 'the defaults')
})

t.test('tickets per address are limited (TICKETS_PER_IP_PER_MIN) over all sessions, new widget sessions included -> 429 rate_limited', async (t) => {
  const server = await startServer(t, { ...embed, ticketsPerIpPerMin: 4 })
  const a = await guest(server, '127.0.0.62')
  const b = await guest(server, '127.0.0.62')
  t.equal((await ticket(server, a.cookie, '127.0.0.62')).status, 200)
  t.equal((await ticket(server, b.cookie, '127.0.0.62')).status, 200, 'four tickets from the address')
  const over = await ticket(server, a.cookie, '127.0.0.62')
  t.equal(over.status, 429)
  t.match(over.body, { code: 'rate_limited', message: /Too many tickets from this address; try again in \d+ s/ })
  t.ok(Number(over.headers['retry-after']) >= 1)
  const fresh = await request(server, 'POST', '/api/embed/guest', { body: { site: SITE }, localAddress: '127.0.0.62' })
  t.equal(fresh.status, 429, 'a new guest would come with a ticket: refused before anything is started')
  t.equal(fresh.body.code, 'rate_limited')
  t.notOk(embedCookie(fresh), 'no session, no cookie')
  t.equal((await server.app.sessions.list()).length, 2)
  const elsewhere = await guest(server, '127.0.0.63')
  t.equal((await ticket(server, elsewhere.cookie, '127.0.0.63')).status, 200, 'another address is not affected')
})

t.test('a session holds at most TICKETS_PER_SESSION (3) live tickets: a fourth revokes the oldest (4003), the newest work once', async (t) => {
  const server = await startServer(t, embed)
  t.equal(TICKETS_PER_SESSION, 3)
  const g = await guest(server, '127.0.0.64')
  const issued = [g.ticket]
  for (let i = 0; i < 3; i++) issued.push((await ticket(server, g.cookie, '127.0.0.64')).body.session.ticket)
  t.equal(server.app.embedTickets.size, 3, 'three live')
  t.equal(await redeem(server, issued[0]!, '127.0.0.64'), 4003, 'the oldest was revoked: ticket_invalid')
  t.match(await redeem(server, issued[3]!, '127.0.0.64'), /^guest-/, 'the newest works')
  t.equal(await redeem(server, issued[3]!, '127.0.0.64'), 4003, 'once')
})

t.test('at most MAX_TICKETS live tickets in total -> 503 busy with Retry-After, nothing started; a redeemed ticket frees a place', async (t) => {
  const server = await startServer(t, { ...embed, maxTickets: 3 })
  const guests = [await guest(server, '127.0.0.65'), await guest(server, '127.0.0.66'), await guest(server, '127.0.0.67')]
  const full = await ticket(server, guests[0]!.cookie, '127.0.0.65')
  t.equal(full.status, 503)
  t.match(full.body, { code: 'busy', message: /Too many sign-in tickets/ })
  t.equal(full.headers['retry-after'], '1')
  const newcomer = await request(server, 'POST', '/api/embed/guest', { body: { site: SITE }, localAddress: '127.0.0.68' })
  t.equal(newcomer.status, 503, 'a new widget session would need a ticket: busy')
  t.notOk(embedCookie(newcomer), 'and none was started')
  t.equal((await server.app.sessions.list()).length, 3)
  t.match(await redeem(server, guests[1]!.ticket, '127.0.0.66'), /^guest-/)
  t.equal((await ticket(server, guests[0]!.cookie, '127.0.0.65')).status, 200, 'a place was freed')
  t.equal(server.app.embedTickets.size, 3)
})

t.test("a flood of ticket requests on one guest cookie issues TICKETS_PER_SESSION_PER_MIN tickets and keeps at most 3 live; a bystander's tickets still come", async (t) => {
  const server = await startServer(t, embed)
  const g = await guest(server, '127.0.0.69')
  const statuses: number[] = []
  for (let round = 0; round < 20; round++) {
    const answers = await Promise.all(Array.from({ length: 10 }, () => ticket(server, g.cookie, '127.0.0.69')))
    statuses.push(...answers.map((a) => a.status))
  }
  t.equal(statuses.filter((s) => s === 200).length, 9, 'the burst of 10 (the first ticket came with the guest)')
  t.equal(statuses.filter((s) => s === 429).length, 191, 'the rest refused')
  t.ok(server.app.embedTickets.size <= 3, `${server.app.embedTickets.size} live tickets`)
  const bystander = await guest(server, '127.0.0.70')
  t.equal((await ticket(server, bystander.cookie, '127.0.0.70')).status, 200)
})

t.test('new widget sessions racing for the last ticket: one is started, the others get 503 busy and leave no session, slot or cookie behind', async (t) => {
  const server = await startServer(t, { ...embed, maxTickets: 1, maxGuestsPerIp: 1 })
  // Each passes the ticket check before any is written; only one can get the ticket after.
  const answers = await Promise.all([71, 72, 73, 74, 75].map((n) => request(server, 'POST', '/api/embed/guest', { body: { site: SITE }, localAddress: `127.0.0.${n}` })))
  t.same(answers.map((a) => a.status).sort(), [200, 503, 503, 503, 503])
  t.equal(answers.filter((a) => embedCookie(a)).length, 1, 'one cookie')
  t.equal((await server.app.sessions.list()).length, 1, 'the refused ones were ended')
  await redeem(server, answers.find((a) => a.status === 200)!.body.ticket, '127.0.0.71')
  const loser = answers.findIndex((a) => a.status === 503)
  t.equal((await request(server, 'POST', '/api/embed/guest', { body: { site: SITE }, localAddress: `127.0.0.${71 + loser}` })).status, 200, 'its guest slot was given back')
})
