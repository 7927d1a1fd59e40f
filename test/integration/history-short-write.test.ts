// Failed and short writes of a room log (injected through the store's openLog seam, so they run
// everywhere): nothing is acknowledged unless all of it is durable, the file is rolled back to its
// real good length, a log that cannot be rolled back refuses messages until it can, and no storage
// failure escapes as an unhandled rejection.
import { constants } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import path from 'node:path'
import t, { type Test } from 'tap'
import { openFileHistoryStore, type LogFile } from '../../lib/chat/history/file-history-store.js'
import type { HistoryRecord, HistoryStore } from '../../lib/chat/history/ports.js'
import { createIdGenerator } from '../../lib/chat/rooms/message-id.js'
import { createRoomHub, type RoomClient } from '../../lib/chat/rooms/room-hub.js'

const ids = createIdGenerator()
const rec = (seq: number): HistoryRecord => ({ seq, id: ids.next(), user: 'alice', text: `message ${seq} `.padEnd(100, 'x'), ts: 1000 + seq })

/** A disk that fills up: `space` bytes left for writes (a short count first, as the kernel does, then ENOSPC). */
interface Disk {
  space: number
  failTruncate: boolean
  failOpen: boolean
  errors: string[]
  /** Operations done (writes, truncates, syncs, stats): the one numbered crashAt takes effect and then never returns (a kill -9). */
  ops: number
  crashAt: number
  onCrash: () => void
}
const ioError = (code: string) => Object.assign(new Error(`${code}: injected`), { code })

function faultyDisk(): Disk & { openLog: (file: string) => Promise<LogFile> } {
  const disk: Disk = { space: Infinity, failTruncate: false, failOpen: false, errors: [], ops: 0, crashAt: 0, onCrash: () => {} }
  const step = async <T>(effect: () => Promise<T>): Promise<T> => {
    const result = await effect()
    if (++disk.ops !== disk.crashAt) return result
    disk.onCrash()
    return new Promise<T>(() => {})
  }
  return Object.assign(disk, {
    async openLog(file: string): Promise<LogFile> {
      if (disk.failOpen) throw ioError('EMFILE')
      const real = await open(file, constants.O_APPEND | constants.O_CREAT | constants.O_WRONLY, 0o600)
      return {
        write: (buffer, offset, length) =>
          step(async () => {
            const n = Math.min(length, disk.space)
            if (n <= 0) throw ioError('ENOSPC')
            disk.space -= n
            return real.write(buffer, offset, n)
          }),
        truncate: (length) =>
          step(async () => {
            if (disk.failTruncate) throw ioError('EIO')
            return real.truncate(length)
          }),
        datasync: () => step(() => real.datasync()),
        stat: () => step(() => real.stat()),
        close: () => real.close()
      }
    }
  })
}

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').slice(0, -1).map((l) => JSON.parse(l))
const HEADER = { v: 1, room: 'dev', cap: 5 }

async function storeOn(t: Test, disk: ReturnType<typeof faultyDisk>, limit = 100) {
  const dir = t.testdir()
  const store = await openFileHistoryStore(dir, { limit, openLog: disk.openLog, error: (m) => disk.errors.push(m) })
  return { dir, store, file: path.join(dir, 'dev.log') }
}

t.test('a short write is finished or rolled back: never acknowledged half-written, never garbage behind the last good line', async (t) => {
  const disk = faultyDisk()
  const { dir, store, file } = await storeOn(t, disk)
  store.create('dev', 5)
  store.append('dev', rec(1))
  t.same(await store.sync(), [])
  const good = (await readFile(file)).length
  // Room for one record and a half: the write of two returns a short count, the rest fails ENOSPC.
  disk.space = 150
  store.append('dev', rec(2))
  store.append('dev', rec(3))
  t.same(await store.sync(), ['dev'], 'the sync fails: its records are not acknowledged')
  t.same((await store.recent('dev', 10)).map((r) => r.seq), [1])
  t.equal(store.lastSeq('dev'), 1)
  const bytes = await readFile(file)
  t.equal(bytes.length, good, 'the file is back to its last good length')
  t.equal(bytes.indexOf(0), -1, 'no NUL bytes')
  // Space comes back: the next record follows the last good one directly.
  disk.space = Infinity
  store.append('dev', rec(4))
  t.same(await store.sync(), [])
  store.append('dev', rec(5))
  t.same(await store.sync(), [])
  await store.close()
  t.same((await lines(file)).map((l) => l.seq ?? l), [HEADER, 1, 4, 5])
  const again = await openFileHistoryStore(dir, { limit: 100, warn: () => t.fail('no corrupt tail at restart') })
  t.equal(again.lastSeq('dev'), 5)
  await again.close()
})

t.test('a short count is written on from where it stopped (the loop on short writes)', async (t) => {
  const disk = faultyDisk()
  const dir = t.testdir()
  // Every write call writes at most 7 bytes: the whole line still arrives, once, in order.
  const openLog = disk.openLog
  disk.openLog = async (f) => {
    const h = await openLog(f)
    return { ...h, write: (b, o, l) => h.write(b, o, Math.min(l, 7)) }
  }
  const store = await openFileHistoryStore(dir, { limit: 100, openLog: disk.openLog })
  store.create('dev', 5)
  store.append('dev', rec(1))
  store.append('dev', rec(2))
  t.same(await store.sync(), [])
  await store.close()
  t.same((await lines(path.join(dir, 'dev.log'))).map((l) => l.seq ?? l), [HEADER, 1, 2])
})

t.test('a log that cannot be rolled back refuses every message until a later sync repairs it; told once', async (t) => {
  const disk = faultyDisk()
  const { dir, store, file } = await storeOn(t, disk)
  store.create('dev', 5)
  store.append('dev', rec(1))
  t.same(await store.sync(), [])
  const good = (await readFile(file)).length
  disk.space = 30
  disk.failTruncate = true
  store.append('dev', rec(2))
  t.same(await store.sync(), ['dev'])
  t.equal((await readFile(file)).length, good + 30, 'the torn bytes are still there')
  // Space is back but the garbage is not gone: nothing may be appended behind it.
  disk.space = Infinity
  for (let seq = 3; seq <= 5; seq++) {
    store.append('dev', rec(seq))
    t.same(await store.sync(), ['dev'], `record ${seq} refused while the log is broken`)
  }
  t.equal((await readFile(file)).length, good + 30, 'nothing was appended behind the garbage')
  t.equal(disk.errors.filter((e) => e.includes('roll back')).length, 1, 'the broken log is reported once')
  disk.failTruncate = false
  store.append('dev', rec(6))
  t.same(await store.sync(), [], 'the next sync repairs the log and stores again')
  await store.close()
  t.same((await lines(file)).map((l) => l.seq ?? l), [HEADER, 1, 6])
  const again = await openFileHistoryStore(dir, { limit: 100, warn: () => t.fail('no corrupt tail') })
  t.equal(again.lastSeq('dev'), 6)
  await again.close()
})

t.test('a new room whose first write fails leaves no file behind that could load as a room', async (t) => {
  const disk = faultyDisk()
  const { dir, store, file } = await storeOn(t, disk)
  disk.space = 10
  store.create('dev', 5)
  t.same(await store.sync(), ['dev'])
  t.equal((await readFile(file)).length, 0)
  await store.close()
  const again = await openFileHistoryStore(dir, { limit: 100 })
  t.same(again.rooms, [], 'the empty log is not a room (cap 0)')
  await again.close()
})

t.test('a kill -9 at every step of a failed write and its rollback: no acknowledged record lost, seq never back', async (t) => {
  const base = t.testdir()
  let steps = 0
  for (let crashAt = 1; ; crashAt++) {
    const dir = path.join(base, `step-${crashAt}`)
    const disk = faultyDisk()
    const store = await openFileHistoryStore(dir, { limit: 100, openLog: disk.openLog, error: () => {} })
    store.create('dev', 5)
    for (let seq = 1; seq <= 3; seq++) store.append('dev', rec(seq))
    t.same(await store.sync(), [], { diagnostic: false })
    // One record and a half fit: a short write, ENOSPC, then the rollback (truncate, datasync, fstat).
    disk.space = 150
    disk.ops = 0
    disk.crashAt = crashAt
    const crashed = new Promise<'crashed'>((resolve) => (disk.onCrash = () => resolve('crashed')))
    store.append('dev', rec(4))
    store.append('dev', rec(5))
    const outcome = await Promise.race([store.sync(), crashed])
    if (outcome !== 'crashed') {
      t.same(outcome, ['dev'], 'past the last step the sync ends, refused')
      break
    }
    steps++
    // The restart: the real file system, whatever the dead process left.
    const again = await openFileHistoryStore(dir, { limit: 100 })
    const seqs = (await again.recent('dev', 100)).map((r) => r.seq)
    t.same(seqs.slice(0, 3), [1, 2, 3], `crash at step ${crashAt}: every acknowledged record is there`)
    const last = again.lastSeq('dev')
    t.ok(last >= 3, `crash at step ${crashAt}: last seq ${last} is not behind the acknowledged 3`)
    again.append('dev', rec(last + 1))
    t.same(await again.sync(), [], `crash at step ${crashAt}: the log takes records again`)
    await again.close()
    const third = await openFileHistoryStore(dir, { limit: 100, warn: (m) => t.fail(m) })
    t.equal(third.lastSeq('dev'), last + 1, `crash at step ${crashAt}: the record after it is kept`)
    await third.close()
  }
  t.ok(steps >= 4, `${steps} steps crashed at (short write, truncate, datasync, fstat)`)
})

/** A socket as the hub sees it, keeping the frames it was sent. */
function fakeClient(user: string) {
  const frames: any[] = []
  const client: RoomClient & { take: () => any[] } = {
    user,
    send: (data) => frames.push(JSON.parse(String(data))),
    take: () => frames.splice(0)
  }
  return client
}

let unhandled: unknown[] = []
process.on('unhandledRejection', (err) => unhandled.push(err))
t.beforeEach(() => (unhandled = []))

t.test('a store whose sync rejects: the senders get not_stored and the hub keeps working', async (t) => {
  const store = await openFileHistoryStore(t.testdir(), { limit: 100 })
  let reject = false
  const failing: HistoryStore = Object.create(store, {
    sync: { value: () => (reject ? Promise.reject(new Error('EMFILE: injected')) : store.sync()) }
  })
  const lost: [string, number][] = []
  const hub = createRoomHub({ store: failing, maxUsers: 5, maxRooms: 4, ttlMs: 60_000, onLost: (room, n) => lost.push([room, n]) })
  const alice = fakeClient('alice')
  hub.join(alice, 'lobby')
  await hub.drain()
  alice.take()
  reject = true
  hub.post(alice, 'lobby', 'one', 'c-1')
  hub.post(alice, 'lobby', 'two', 'c-2')
  await hub.drain()
  t.match(alice.take(), [{ type: 'error', code: 'not_stored' }, { type: 'error', code: 'not_stored' }])
  t.same(lost, [['lobby', 2]])
  reject = false
  hub.post(alice, 'lobby', 'again', 'c-1')
  await hub.drain()
  t.match(alice.take(), [{ type: 'message', text: 'again', cid: 'c-1' }], 'the refused cid may be sent again')
  await new Promise((r) => setImmediate(r))
  t.same(unhandled, [], 'no unhandled rejection')
  await store.close()
})

t.test('a failing reopen after compaction (EMFILE): acknowledged as written, later messages not_stored, no crash, then it recovers', async (t) => {
  const disk = faultyDisk()
  const { dir, store } = await storeOn(t, disk, 2)
  const hub = createRoomHub({ store, maxUsers: 5, maxRooms: 4, ttlMs: 60_000 })
  const alice = fakeClient('alice')
  hub.join(alice, 'lobby')
  hub.post(alice, 'lobby', 'm1')
  hub.post(alice, 'lobby', 'm2')
  await hub.drain()
  alice.take()
  // The next write reaches the compaction threshold (4 records); reopening the compacted log fails.
  disk.failOpen = true
  hub.post(alice, 'lobby', 'm3')
  hub.post(alice, 'lobby', 'm4')
  await hub.drain()
  t.match(alice.take(), [{ type: 'message', text: 'm3' }, { type: 'message', text: 'm4' }], 'written before the compaction: acknowledged')
  t.ok(disk.errors.some((e) => e.includes('reopen')), 'the failed reopen is reported')
  hub.post(alice, 'lobby', 'm5')
  await hub.drain()
  t.match(alice.take(), [{ type: 'error', code: 'not_stored' }])
  disk.failOpen = false
  hub.post(alice, 'lobby', 'm6')
  await hub.drain()
  t.match(alice.take(), [{ type: 'message', text: 'm6' }])
  await new Promise((r) => setImmediate(r))
  t.same(unhandled, [], 'no unhandled rejection')
  await store.close()
  const again = await openFileHistoryStore(dir, { limit: 2 })
  t.same((await again.recent('lobby', 10)).map((r) => r.text), ['m4', 'm6'])
  await again.close()
})
