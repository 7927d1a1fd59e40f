// Room quotas (issue 16, finding 3): one address or one account cannot fill MAX_ROOMS, guests
// create no room, rooms never written in are swept early, and the counts survive a restart.
// The defaults' ratios, scaled down: ROOMS_PER_USER < ROOMS_PER_IP < MAX_ROOMS.
import t, { type Test } from 'tap'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { connect, request, signUp, type ChatClient } from '../helpers/clients.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { FAST_FRAMES } from '../helpers/rooms.js'

const SITE = 'https://shop.example'
const QUOTAS = { ...FAST_FRAMES, roomCreatesPerMin: 100, roomsPerUser: 2, roomsPerIp: 4, maxRooms: 10 }

/** A signed-up user's socket from `localAddress`, in the lobby. */
async function userAt(t: Test, server: TestServer, cookie: string, localAddress = '127.0.0.1') {
  const client = await connect(server, cookie, { localAddress })
  t.teardown(() => client.ws.close())
  await client.next('joined', (f) => f.room === 'lobby')
  return client
}

/** Sends `create` and waits for its answer: 'joined' or the error frame (one waiter, none left behind). */
export async function create(client: ChatClient, room: string): Promise<any> {
  client.send({ type: 'create', room })
  const answer = await client.next('answer', () => true, 5000, (f) => (f.type === 'joined' || f.type === 'error') && f.room === room)
  return answer.type === 'joined' ? 'joined' : answer
}

async function roomNames(client: ChatClient): Promise<string[]> {
  client.send({ type: 'rooms' })
  return (await client.next('rooms')).rooms.map((r: { name: string }) => r.name)
}

t.test('one address with many accounts cannot pass ROOMS_PER_IP: the next create is room_quota naming it, changes nothing, and another address still creates', async (t) => {
  const server = await startServer(t, QUOTAS)
  const made: string[] = []
  let refused: any
  // Six accounts from one address (its registrations of several hours), each to its own quota.
  for (let i = 0; i < 6 && !refused; i++) {
    const client = await userAt(t, server, await signUp(server, `sock${i}`))
    for (let j = 0; j < 2; j++) {
      const answer = await create(client, `r${i}-${j}`)
      if (answer === 'joined') made.push(`r${i}-${j}`)
      else refused = answer
      if (refused) break
    }
  }
  t.equal(made.length, 4, 'ROOMS_PER_IP rooms from the address')
  t.match(refused, { type: 'error', code: 'room_quota', limit: 'ROOMS_PER_IP', room: 'r2-0' })
  const bystander = await userAt(t, server, await signUp(server, 'bystander'), '127.0.0.9')
  t.notOk((await roomNames(bystander)).includes('r2-0'), 'the refused room does not exist')
  t.equal(await create(bystander, 'mine'), 'joined', 'MAX_ROOMS is not exhausted: another address creates')
})

t.test('one account cannot pass ROOMS_PER_USER from many addresses', async (t) => {
  const server = await startServer(t, { ...QUOTAS, roomsPerIp: 100 })
  const cookie = await signUp(server, 'roamer')
  const answers = []
  for (let i = 2; i <= 4; i++) answers.push(await create(await userAt(t, server, cookie, `127.0.0.${i}`), `roam${i}`))
  t.same(answers.slice(0, 2), ['joined', 'joined'])
  t.match(answers[2], { code: 'room_quota', limit: 'ROOMS_PER_USER', room: 'roam4' })
})

t.test('quotas survive a restart; the registry keeps the creator and a keyed hash of the address key, never the address', async (t) => {
  const first = await startServer(t, QUOTAS)
  const cookie = await signUp(first, 'keeper')
  const client = await userAt(t, first, cookie)
  t.equal(await create(client, 'k1'), 'joined')
  t.equal(await create(client, 'k2'), 'joined')
  await first.app.close()
  const file = join(first.dataDir, 'rooms.json')
  const text = await readFile(file, 'utf8')
  t.notMatch(text, '127.0.0.1', 'no address in the clear')
  t.match(JSON.parse(text).rooms.k1, { creator: 'keeper', address: /^[A-Za-z0-9_-]{22}$/ })
  t.equal((await stat(file)).mode & 0o777, 0o600)
  t.equal((await stat(join(first.dataDir, 'rooms.key'))).mode & 0o777, 0o600)
  const second = await startServer(t, QUOTAS, first.dataDir)
  const again = await userAt(t, second, await signUp(second, 'other'))
  t.equal(await create(again, 'o1'), 'joined')
  t.equal(await create(again, 'o2'), 'joined')
  // keeper's two rooms and other's two fill the address's four.
  t.match(await create(again, 'o3'), { code: 'room_quota', limit: 'ROOMS_PER_USER' })
  const third = await userAt(t, second, await signUp(second, 'third'))
  t.match(await create(third, 't1'), { code: 'room_quota', limit: 'ROOMS_PER_IP' }, 'the address count came back from disk')
})

t.test('a room never written in is swept ROOM_UNUSED_TTL_MS after it empties (its quota comes back); a used one stays', async (t) => {
  const server = await startServer(t, { ...QUOTAS, roomUnusedTtlMs: 1000 })
  const client = await userAt(t, server, await signUp(server, 'sweeper'))
  t.equal(await create(client, 'idle'), 'joined')
  t.equal(await create(client, 'busy'), 'joined')
  client.send({ type: 'message', room: 'busy', text: 'hello' })
  await client.next('message', (f) => f.room === 'busy')
  client.send({ type: 'leave', room: 'idle' })
  client.send({ type: 'leave', room: 'busy' })
  await client.next('left', (f) => f.room === 'busy')
  t.match(await create(client, 'third'), { code: 'room_quota' })
  await new Promise((r) => setTimeout(r, 1600))
  t.same((await roomNames(client)).sort(), ['busy', 'lobby'], 'the unused room went, the used one stayed')
  t.equal(await create(client, 'third'), 'joined', 'the quota came back')
})

t.test('a guest creates no room: forbidden, nothing made', async (t) => {
  const server = await startServer(t, { ...QUOTAS, embedOrigins: [SITE], embedGuests: [SITE], maxGuestsPerIp: 10 })
  const guest = await request(server, 'POST', '/api/embed/guest', { body: { site: SITE } })
  const client = await connect(server, undefined)
  t.teardown(() => client.ws.close())
  client.send({ type: 'auth', ticket: guest.body.ticket })
  await client.next('welcome')
  client.send({ type: 'join', room: 'lobby' }) // after the welcome: the server joins no room by itself
  await client.next('joined', (f) => f.room === 'lobby')
  t.match(await create(client, 'guestroom'), { type: 'error', code: 'forbidden', room: 'guestroom' })
  t.notOk((await roomNames(client)).includes('guestroom'))
})
