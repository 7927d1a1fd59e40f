// History is bounded (issue 16 finding 6): readers never see more than HISTORY_LIMIT messages, a
// log holds at most 10 % more between compactions, and the records in memory of all rooms stay
// within HISTORY_MEMORY_MB; evicted rooms are read back from disk, complete and in order.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { createBoundedOutput, type Outlet } from '../../lib/chat/gateway/bounded-output.js'
import { openFileHistoryStore } from '../../lib/chat/history/file-history-store.js'
import { RECORD_OVERHEAD } from '../../lib/chat/history/history-cache.js'
import type { HistoryRecord } from '../../lib/chat/history/ports.js'
import { createIdGenerator } from '../../lib/chat/rooms/message-id.js'
import { createRoomHub, type RoomClient } from '../../lib/chat/rooms/room-hub.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const ids = createIdGenerator()
// A maximum-size message at the defaults: 50 characters of 10 code points, all outside the BMP
// (1,000 UTF-16 units, 2,000 bytes of UTF-8); a 64-character cid and a 32-character user.
const TEXT = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E0067}\u{E0067}\u{E0067}\u{E007F}'.repeat(50)
const big = (seq: number, user = 'u'.repeat(31) + (seq % 10)): HistoryRecord => ({
  seq,
  id: ids.next(),
  user,
  text: TEXT.slice(0, -2) + String(seq % 100).padStart(2, '0'),
  ts: 1000 + seq,
  cid: `${seq}-`.padEnd(64, 'c')
})
const PER_RECORD = RECORD_OVERHEAD + 2 * (TEXT.length + 32 + 13 + 64)
const seqs = (records: HistoryRecord[]) => records.map((r) => r.seq)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

t.test('many rooms of maximum-size messages: memory within the budget, readers get every kept message, files within limit + 10 %', async (t) => {
  const dir = t.testdir()
  const limit = 60
  const maxLines = limit + Math.ceil(limit / 10)
  const rooms = 100
  const perRoom = 2 * limit + 7 // several compactions per room
  const budget = 2 * 1024 * 1024 // ~860 records: about a third of what is kept
  gc()
  const heapBefore = process.memoryUsage().heapUsed
  const store = await openFileHistoryStore(dir, { limit, memoryBytes: budget })
  let worst = 0
  let worstLines = 0
  for (let r = 0; r < rooms; r++) store.create(`room-${r}`, 5)
  for (let seq = 1; seq <= perRoom; seq++) {
    // One record per room per sync, as many rooms in one turn: every room is touched in turn.
    for (let r = 0; r < rooms; r++) store.append(`room-${r}`, big(seq))
    const failed = await store.sync()
    if (failed.length > 0) t.fail(`sync ${seq} failed for ${failed}`)
    worst = Math.max(worst, store.memoryBytes())
    if (seq % 10 === 0 || seq > perRoom - 3) {
      for (const r of [0, rooms - 1]) {
        const lines = (await readFile(path.join(dir, `room-${r}.log`), 'utf8')).split('\n').length - 2
        worstLines = Math.max(worstLines, lines)
      }
    }
  }
  // The room being written is never evicted: the bound is the budget plus one room's records.
  t.ok(worst <= budget + (maxLines - 1) * PER_RECORD, `records in memory peaked at ${worst} bytes (budget ${budget})`)
  t.ok(worstLines <= maxLines, `a log held at most ${worstLines} records (limit ${limit} + 10 % = ${maxLines})`)
  gc()
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore
  const everything = rooms * limit * PER_RECORD
  t.ok(heapGrowth < budget + 4 * 1024 * 1024, `the heap grew by ${(heapGrowth / 1048576).toFixed(1)} MiB, not the ${(everything / 1048576).toFixed(1)} MiB all rooms' records take`)

  // Every room, evicted or not, still answers with exactly its last `limit` messages, in order.
  const last = range(perRoom - limit + 1, perRoom)
  let fromDisk = 0
  const wrong: string[] = []
  const check = (ok: boolean, what: string) => ok || wrong.push(what)
  for (let r = 0; r < rooms; r++) {
    const room = `room-${r}`
    const recent = store.recent(room, 1000)
    if (recent instanceof Promise) fromDisk++
    const same = (a: number[], b: number[]) => a.join() === b.join()
    check(same(seqs(await recent), last), `${room}: recent`)
    check(same(seqs((await store.after(room, perRoom - limit, perRoom))!), last), `${room}: after`)
    check((await store.after(room, perRoom - limit - 1, perRoom)) === undefined, `${room}: older than kept`)
    const page = await store.before(room, perRoom - 9, 1000)
    check(same(seqs(page.messages), range(perRoom - limit + 1, perRoom - 10)) && !page.more, `${room}: before`)
    check(store.memoryBytes() <= budget + maxLines * PER_RECORD, `${room}: reading back stays within the budget`)
  }
  t.same(wrong, [], `every room answers recent, after and before with exactly its last ${limit} messages`)
  t.ok(fromDisk > rooms / 2, `${fromDisk} of ${rooms} rooms were read back from disk`)
  t.equal((await store.recent('room-0', 5)).length, 5)
  await store.close()

  // Reopened with the same budget: start-up loads no more than the budget either.
  const again = await openFileHistoryStore(dir, { limit, memoryBytes: budget })
  t.ok(again.memoryBytes() <= budget + maxLines * PER_RECORD, `after a restart ${again.memoryBytes()} bytes in memory`)
  t.same(seqs(await again.recent('room-0', 1000)), last, 'an evicted room reads back after a restart')
  t.equal(again.rooms.find((r) => r.name === 'room-0')!.cids!.length, limit, 'the resend window comes with the rooms, no read needed')
  await again.close()
})

t.test('a read that needs the disk is a promise; one from memory is a plain value (nothing allocated on the hot path)', async (t) => {
  const store = await openFileHistoryStore(t.testdir(), { limit: 10, memoryBytes: 1 })
  store.create('a', 5)
  store.create('b', 5)
  for (let seq = 1; seq <= 3; seq++) {
    store.append('a', big(seq))
    store.append('b', big(seq))
  }
  await store.sync()
  // A budget of one byte: only the room touched last keeps its records.
  store.append('b', big(4))
  await store.sync()
  t.notOk(store.recent('b', 1) instanceof Promise, 'b\'s newest record is in memory')
  const a = store.recent('a', 2)
  t.ok(a instanceof Promise, 'a comes from disk')
  t.same(seqs(await a), [2, 3])
  await store.close()
})

/** A socket as the hub sees it, keeping the frames it was sent. */
// A socket that reads at once, behind a real bounded output: its paced lane keeps a reply read
// from disk (joined, its replay, history) in order with what is sent meanwhile, as a chat socket's does.
function fakeClient(user: string) {
  const frames: any[] = []
  const outlet: Outlet = {
    bufferedAmount: 0,
    open: true,
    write: (data) => void frames.push(JSON.parse(String(data))),
    drop() {
      throw new Error('dropped')
    },
    flushed: (done) => void setImmediate(done)
  }
  const output = createBoundedOutput(outlet, 1 << 20)
  const client: RoomClient & { frames: any[] } = { user, frames, send: (data) => void output.send(data), stream: (source) => output.stream(source) }
  return client
}

t.test('joining or resuming an evicted room: joined and the replay come from disk, live messages after them, in order', async (t) => {
  const store = await openFileHistoryStore(t.testdir(), { limit: 100, memoryBytes: 1 })
  const hub = createRoomHub({ store, maxUsers: 5, maxRooms: 10, ttlMs: 60_000 })
  const alice = fakeClient('alice')
  hub.create(alice, 'dev')
  await hub.drain()
  for (let i = 1; i <= 30; i++) hub.post(alice, 'dev', `m${i}`)
  await hub.drain()
  // Another room written last: dev's records leave memory.
  hub.join(alice, 'lobby')
  hub.post(alice, 'lobby', 'elsewhere')
  await hub.drain()
  t.ok(store.recent('dev', 1) instanceof Promise, 'dev was evicted')

  const bob = fakeClient('bob')
  const carol = fakeClient('carol')
  // A message whose write is under way when they join: it is delivered while their history is
  // still being read (the read waits for the write), and must come after `joined` and the replay.
  hub.post(alice, 'dev', 'live')
  await new Promise((r) => setImmediate(r))
  hub.join(bob, 'dev', 20)
  hub.join(carol, 'dev')
  hub.history(carol, 'dev', 5, 10)
  await hub.drain()
  await new Promise((r) => setTimeout(r, 50))
  const texts = (frames: any[]) => frames.filter((f) => f.type === 'message').map((f) => f.text)
  t.equal(bob.frames[0].type, 'joined', 'nothing before joined (not the presence of a join meanwhile)')
  t.same(texts(bob.frames), [...range(21, 30).map((i) => `m${i}`), 'live'], 'replay from disk, then the live message, once each')
  t.equal(carol.frames[0].type, 'joined', JSON.stringify(carol.frames.map((f) => f.type)))
  t.same(carol.frames[0].messages.map((m: any) => m.text), range(1, 30).slice(-50).map((i) => `m${i}`), 'joined carries the recent messages read from disk')
  t.same(texts(carol.frames), ['live'])
  const history = carol.frames.find((f) => f.type === 'history')
  t.same(history.messages.map((m: any) => m.seq), [1, 2, 3, 4])
  await store.close()
})
