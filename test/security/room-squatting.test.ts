// Room squatting (issue 16, finding 5): the rooms embedding sites use are declared by EMBED_ROOMS,
// made and owned by the server at start (their cap from configuration, never swept), and no
// visitor can create one first, or keep one made before it was declared.
import t, { type Test } from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { connect, request, signUp, type ChatClient } from '../helpers/clients.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { chatUser, FAST_FRAMES } from '../helpers/rooms.js'
import { signEmbedToken } from '../../lib/embed/embed-token.js'

const SITE = 'https://shop.example'
const OTHER = 'https://blog.example'
const SECRET = 'a'.repeat(40)
const embed = {
  ...FAST_FRAMES,
  embedOrigins: [SITE, OTHER],
  embedSecrets: { [SITE]: SECRET },
  embedGuests: [SITE],
  maxGuestsPerIp: 10,
  embedRooms: [{ site: SITE, name: 'support', cap: 3 }]
}

/** A widget socket (ticket in the first frame), in the lobby. */
async function widgetSocket(t: Test, server: TestServer, ticket: string): Promise<ChatClient> {
  const client = await connect(server, undefined)
  t.teardown(() => client.ws.close())
  client.send({ type: 'auth', ticket })
  await client.next('welcome')
  client.send({ type: 'join', room: 'lobby' }) // after the welcome: the server joins no room by itself
  await client.next('joined', (f) => f.room === 'lobby')
  return client
}

const answer = (client: ChatClient, room: string) =>
  client.next('answer', () => true, 5000, (f) => (f.type === 'joined' || f.type === 'error') && f.room === room)

t.test("a site's room exists from the start with its configured cap; anyone's create of it is room_exists and changes nothing; the site's guests and signed users join it", async (t) => {
  const server = await startServer(t, embed)
  const { client: squatter } = await chatUser(t, server, 'squatter')
  squatter.send({ type: 'create', room: 'support', cap: 2 })
  t.match(await answer(squatter, 'support'), { type: 'error', code: 'room_exists' })
  squatter.send({ type: 'rooms' })
  t.match((await squatter.next('rooms')).rooms, [{ name: 'lobby' }, { name: 'support', cap: 3, online: 0 }], 'the cap is the configured one')
  const guest = await request(server, 'POST', '/api/embed/guest', { body: { site: SITE } })
  t.same(guest.body.rooms, ['support'], "the widget learns its site's rooms")
  const guestSocket = await widgetSocket(t, server, guest.body.ticket)
  guestSocket.send({ type: 'join', room: 'support' })
  t.match(await answer(guestSocket, 'support'), { type: 'joined', cap: 3 })
  const token = signEmbedToken('carol', Math.floor(Date.now() / 1000) + 300, SECRET)
  const signed = await request(server, 'POST', '/api/embed/identity', { body: { site: SITE, token } })
  const carol = await widgetSocket(t, server, signed.body.ticket)
  carol.send({ type: 'join', room: 'support' })
  t.match(await answer(carol, 'support'), { type: 'joined', members: [guest.body.username, 'carol@shop.example'] })
  const other = await request(server, 'POST', '/api/embed/login', { body: { site: OTHER, username: 'squatter', password: 'correct horse' } })
  t.same(other.body.rooms, [], 'a site with no EMBED_ROOMS owns none')
})

t.test('a room made before it was declared is taken over at start: the site owns it, its cap comes from configuration, its maker loses it from their quota', async (t) => {
  const first = await startServer(t, { ...FAST_FRAMES, embedOrigins: [SITE] })
  const squatter = await chatUser(t, first, 'squatter')
  squatter.client.send({ type: 'create', room: 'support', cap: 2 })
  await squatter.client.next('joined', (f) => f.room === 'support')
  await first.app.close()
  const second = await startServer(t, { ...embed, roomsPerUser: 1 }, first.dataDir)
  const registry = JSON.parse(await readFile(join(first.dataDir, 'rooms.json'), 'utf8'))
  t.same(registry.rooms.support, { site: SITE, createdAt: registry.rooms.support.createdAt }, 'owned by the site, no creator')
  const { client } = await chatUser(t, second, 'visitor')
  client.send({ type: 'rooms' })
  t.match((await client.next('rooms')).rooms, [{ name: 'lobby' }, { name: 'support', cap: 3 }])
  const back = await connect(second, squatter.cookie)
  t.teardown(() => back.ws.close())
  back.send({ type: 'create', room: 'mine' })
  t.match(await answer(back, 'mine'), { type: 'joined' }, "the squatter's quota no longer counts the room")
})

t.test('a site room is never swept, however long unused', async (t) => {
  const server = await startServer(t, { ...embed, roomTtlMs: 1000, roomUnusedTtlMs: 1000 })
  const { client } = await chatUser(t, server, 'watcher')
  client.send({ type: 'create', room: 'plain' })
  await client.next('joined', (f) => f.room === 'plain')
  client.send({ type: 'leave', room: 'plain' })
  await client.next('left')
  await new Promise((r) => setTimeout(r, 1600))
  client.send({ type: 'rooms' })
  t.same((await client.next('rooms')).rooms.map((r: { name: string }) => r.name), ['lobby', 'support'], 'the plain room went, the site room stayed')
})

t.test('a site room taken out of EMBED_ROOMS is an ordinary room after a restart: no longer owned, swept when unused', async (t) => {
  const first = await startServer(t, embed)
  await first.app.close()
  const second = await startServer(t, { ...FAST_FRAMES, embedOrigins: [SITE], roomTtlMs: 1000, roomUnusedTtlMs: 1000 }, first.dataDir)
  const registry = JSON.parse(await readFile(join(first.dataDir, 'rooms.json'), 'utf8'))
  t.notOk('site' in registry.rooms.support, 'the registry no longer names a site')
  await new Promise((r) => setTimeout(r, 1600))
  t.notOk(second.app.roomHub.rooms().some((r) => r.name === 'support'), 'swept like any unused room')
})
