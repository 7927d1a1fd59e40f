// The room registry (DATA_DIR/rooms.json) alone and under the room hub: records checked at load,
// address keys hashed, and a new room's `joined` only once its registry record is durable.
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { openFileHistoryStore } from '../../lib/chat/history/file-history-store.js'
import { createRoomHub, type RoomClient } from '../../lib/chat/rooms/room-hub.js'
import { openRoomRegistry, type RoomRegistry } from '../../lib/chat/rooms/room-registry.js'

const open = (dir: string, perUser = 2, perAddress = 3) =>
  openRoomRegistry(path.join(dir, 'rooms.json'), path.join(dir, 'rooms.key'), { perUser, perAddress })

function client(user: string) {
  const frames: any[] = []
  return { user, frames, send: (data: Buffer) => void frames.push(JSON.parse(String(data))) } satisfies RoomClient & { frames: any[] }
}

t.test('a registry file that does not match its schema stops start-up naming the file; it is left as it was', async (t) => {
  const dir = t.testdir({
    'rooms.json': JSON.stringify({ version: 1, rooms: { ok: { createdAt: 1 }, 'Bad/Name': { createdAt: 1 } } })
  })
  await t.rejects(open(dir), /rooms\.json is not a room registry/)
  const other = t.testdir({ 'rooms.json': JSON.stringify({ version: 1, rooms: { ok: { createdAt: 1, cap: 'all' } } }) })
  await t.rejects(open(other), /rooms\.json is not a room registry/)
  const broken = t.testdir({ 'rooms.json': '{"version":1,' })
  await t.rejects(open(broken), /rooms\.json is not valid JSON/)
  t.equal(await readFile(path.join(broken, 'rooms.json'), 'utf8'), '{"version":1,', 'never overwritten')
})

t.test('counts per creator and per hashed address key; the file holds no address and is 0600', async (t) => {
  const dir = t.testdir({})
  const registry = await open(dir)
  registry.set('a', { creator: 'ann', address: registry.addressOf('10.0.0.1'), createdAt: 1 })
  registry.set('b', { creator: 'ann', address: registry.addressOf('10.0.0.2'), createdAt: 1 })
  t.equal(registry.over('ann', '10.0.0.9'), 'ROOMS_PER_USER')
  registry.set('c', { creator: 'bob', address: registry.addressOf('10.0.0.1'), createdAt: 1 })
  registry.set('d', { creator: 'cid', address: registry.addressOf('10.0.0.1'), createdAt: 1 })
  t.equal(registry.over('eve', '10.0.0.1'), 'ROOMS_PER_IP')
  registry.delete('d')
  t.equal(registry.over('eve', '10.0.0.1'), undefined, 'a room gone stops counting')
  await registry.flush()
  t.notMatch(await readFile(path.join(dir, 'rooms.json'), 'utf8'), '10.0.0')
  t.equal((await stat(path.join(dir, 'rooms.json'))).mode & 0o777, 0o600)
  const again = await open(dir)
  t.equal(again.over('ann', '10.0.0.9'), 'ROOMS_PER_USER', 'counts come back from the file')
})

t.test("a new room's joined waits for its registry record; a registry that cannot be written refuses the room (not_stored) and keeps nothing", async (t) => {
  const dir = t.testdir({ history: {} })
  const store = await openFileHistoryStore(path.join(dir, 'history'), { limit: 10 })
  const registry: RoomRegistry = await open(dir, 10, 10)
  let fail = false
  const flush = registry.flush
  registry.flush = () => (fail ? Promise.reject(new Error('disk full')) : flush())
  const errors: unknown[] = []
  const hub = createRoomHub({ store, registry, maxUsers: 5, maxRooms: 10, ttlMs: 60_000, onRegistryError: (err) => errors.push(err) })
  t.teardown(async () => {
    await hub.drain()
    await store.close()
  })
  const ann = client('ann')
  t.equal(hub.create(ann, 'kept', undefined, { user: 'ann', address: '10.0.0.1' }), undefined)
  await hub.drain()
  t.match(ann.frames.at(-1), { type: 'joined', room: 'kept' })
  t.match(JSON.parse(await readFile(path.join(dir, 'rooms.json'), 'utf8')).rooms.kept, { creator: 'ann' }, 'on disk before joined')
  fail = true
  t.equal(hub.create(ann, 'lost', undefined, { user: 'ann', address: '10.0.0.1' }), undefined)
  await hub.drain()
  t.match(ann.frames.at(-1), { type: 'error', code: 'not_stored', room: 'lost' })
  t.equal(errors.length, 1, 'logged')
  t.notOk(hub.rooms().some((r) => r.name === 'lost'), 'the room is gone')
  t.equal(registry.get('lost'), undefined, 'and so is its record')
})
