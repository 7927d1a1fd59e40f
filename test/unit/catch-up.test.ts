// The room hub's catch-up through a paced output: `joined`, every missed message, then the live
// ones, once each in seq order, whether the store answers reads at once (memory) or with a promise
// (disk), a resume as a socket's first join, across a reset, and with `joined`/`history` pages kept to a byte budget.
import t, { type Test } from 'tap'
import { createBoundedOutput, type Outlet } from '../../lib/chat/gateway/bounded-output.js'
import { openFileHistoryStore } from '../../lib/chat/history/file-history-store.js'
import type { HistoryStore } from '../../lib/chat/history/ports.js'
import { createRoomHub, messageFrame, type RoomClient } from '../../lib/chat/rooms/room-hub.js'
import { fitPage } from '../../lib/chat/rooms/catch-up.js'

/** Reads answered with a promise, as a store reading from disk does. */
function slowReads(store: HistoryStore): HistoryStore {
  const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 1))
  return new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key)
      if (key === 'recent' || key === 'after' || key === 'before') return (...args: unknown[]) => later((value as Function).apply(target, args))
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/** A socket that takes `perDrain` bytes each time the test drains it, through a real bounded output. */
function pacedClient(user: string, bound = 4096) {
  const frames: any[] = []
  const waiting: (() => void)[] = []
  const outlet: Outlet = {
    bufferedAmount: 0,
    open: true,
    write(data) {
      frames.push(JSON.parse(String(data)))
      ;(outlet as { bufferedAmount: number }).bufferedAmount += data.length
    },
    drop() {
      throw new Error('dropped')
    },
    flushed: (done) => void waiting.push(done)
  }
  const output = createBoundedOutput(outlet, bound)
  const client: RoomClient = { user, send: (data) => void output.send(data), stream: (source) => output.stream(source) }
  /** The socket took everything so far. */
  const drain = () => {
    ;(outlet as { bufferedAmount: number }).bufferedAmount = 0
    for (const done of waiting.splice(0)) done()
  }
  return { client, frames, drain, waiting }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5))
const seqs = (frames: any[]) => frames.filter((f) => f.type === 'message').map((f) => f.seq)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

async function setup(t: Test, slow: boolean, limit = 1000) {
  const store = await openFileHistoryStore(t.testdir(), { limit })
  const hub = createRoomHub({ store: slow ? slowReads(store) : store, maxUsers: 5, maxRooms: 4, ttlMs: 60_000, maxPageBytes: 1024 })
  t.teardown(async () => {
    await hub.drain()
    await store.close()
  })
  const writer: RoomClient = { user: 'writer', send() {} }
  hub.join(writer, 'lobby')
  const post = async (from: number, to: number) => {
    for (let i = from; i <= to; i++) hub.post(writer, 'lobby', `m${i} `.padEnd(200, 'x'))
    await hub.drain()
  }
  return { hub, post }
}

for (const slow of [false, true]) {
  const reads = slow ? 'reads from disk (promises)' : 'reads from memory'
  t.test(`${reads}: joined, then every missed message and the live ones once, in order, while the socket drains slowly`, async (t) => {
    const { hub, post } = await setup(t, slow)
    await post(1, 300)
    const reader = pacedClient('reader')
    hub.join(reader.client, 'lobby', 10)
    for (let round = 0; round < 5; round++) {
      await settle()
      reader.drain()
    }
    await post(301, 320) // live, while the catch-up is still under way
    for (let round = 0; round < 500 && (reader.waiting.length > 0 || seqs(reader.frames).length < 310); round++) {
      await settle()
      reader.drain()
    }
    await post(321, 325) // live, after it
    await settle()
    t.match(reader.frames[0], { type: 'joined', lastSeq: 300, messages: [] })
    t.same(seqs(reader.frames), range(11, 325), 'once each, in seq order')
  })

  t.test(`${reads}: a resume as the socket's first join (no room joined on connect): every message after it once, never twice`, async (t) => {
    const { hub, post } = await setup(t, slow)
    await post(1, 50)
    const reader = pacedClient('reader')
    hub.join(reader.client, 'lobby', 20) // the client's first frame after connecting
    await post(51, 60) // live, while the replay is under way
    await post(61, 70)
    for (let round = 0; round < 100; round++) {
      await settle()
      reader.drain()
    }
    const joins = reader.frames.filter((f) => f.type === 'joined')
    t.equal(joins.length, 1, 'one joined: the resume')
    t.match(joins[0], { lastSeq: 50, messages: [] })
    t.same(seqs(reader.frames), range(21, 70), 'every message after the resume point once, in order')
  })

  t.test(`${reads}: a resume older than the kept history: joined with reset, then the live ones`, async (t) => {
    const { hub, post } = await setup(t, slow, 20)
    await post(1, 60)
    const reader = pacedClient('reader')
    hub.join(reader.client, 'lobby', 2)
    await settle()
    await post(61, 65)
    for (let round = 0; round < 50; round++) {
      await settle()
      reader.drain()
    }
    const joined = reader.frames[0]
    t.match(joined, { type: 'joined', reset: true })
    t.equal(joined.messages.at(-1).seq, joined.lastSeq, 'the recent messages up to its lastSeq')
    t.same(seqs(reader.frames), range(joined.lastSeq + 1, 65), 'then every later one once, in order')
  })

  t.test(`${reads}: history pages keep to the byte budget and say there is more`, async (t) => {
    const { hub, post } = await setup(t, slow)
    await post(1, 30)
    const reader = pacedClient('reader')
    hub.join(reader.client, 'lobby')
    await settle()
    hub.history(reader.client, 'lobby', 31, 100)
    for (let round = 0; round < 20; round++) {
      await settle()
      reader.drain()
    }
    const page = reader.frames.find((f) => f.type === 'history')
    t.ok(page.messages.length > 0 && page.messages.length < 30, `${page.messages.length} messages fit in 1 KiB`)
    t.equal(page.more, true)
    t.equal(page.messages.at(-1).seq, 30, 'the newest ones')
  })
}

t.test('a page always moves on: a message larger than the budget still comes, alone', async (t) => {
  const record = (seq: number) => ({ seq, id: `i${seq}`, user: 'u', text: 'x'.repeat(300), ts: 1 })
  const toFrame = (r: ReturnType<typeof record>) => messageFrame('lobby', r)
  t.same(fitPage([record(1), record(2)], toFrame, 100).map((f: any) => f.seq), [2], 'the newest one, over the budget')
  t.same(fitPage([record(1), record(2)], toFrame, 1000).map((f: any) => f.seq), [1, 2])
  t.same(fitPage([], toFrame, 100), [])
})
