import { appendFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { runUntilKilled } from '../helpers/server-process.js'
import { openFileHistoryStore } from '../../lib/chat/history/file-history-store.js'
import type { HistoryRecord, HistoryStore } from '../../lib/chat/history/ports.js'
import { createIdGenerator } from '../../lib/chat/rooms/message-id.js'

const ids = createIdGenerator()
const rec = (seq: number, extra: Partial<HistoryRecord> = {}): HistoryRecord => ({
  seq,
  id: ids.next(),
  user: 'alice',
  text: `m${seq}`,
  ts: 1000 + seq,
  ...extra
})
const seqs = (records: HistoryRecord[]) => records.map((r) => r.seq)

async function fill(store: HistoryStore, room: string, from: number, to: number) {
  for (let seq = from; seq <= to; seq++) store.append(room, rec(seq))
  t.same(await store.sync(), [])
}

t.test('records become visible once synced; files are 0600 in a 0700 dir, one JSON line each', async (t) => {
  const dir = path.join(t.testdir(), 'history')
  const store = await openFileHistoryStore(dir, { limit: 10 })
  store.create('dev', 5)
  store.append('dev', rec(1))
  store.append('dev', rec(2, { cid: 'c-1' }))
  t.same((await store.recent('dev', 10)), [], 'not visible before the sync')
  t.equal(store.lastSeq('dev'), 0)
  t.same(await store.sync(), [])
  t.same(seqs((await store.recent('dev', 10))), [1, 2])
  t.equal(store.lastSeq('dev'), 2)
  t.equal((await stat(dir)).mode & 0o777, 0o700)
  t.equal((await stat(path.join(dir, 'dev.log'))).mode & 0o777, 0o600)
  const lines = (await readFile(path.join(dir, 'dev.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
  t.same(lines[0], { v: 1, room: 'dev', cap: 5 })
  t.match(lines[2], { seq: 2, user: 'alice', text: 'm2', cid: 'c-1' })
  await store.close()
})

t.test('group commit: one write per log per sync, however many records', async (t) => {
  const writes: [string, number][] = []
  const store = await openFileHistoryStore(t.testdir(), { limit: 100, onWrite: (room, n) => writes.push([room, n]) })
  store.create('a', 5)
  store.create('b', 5)
  for (let i = 1; i <= 20; i++) store.append('a', rec(i))
  for (let i = 1; i <= 5; i++) store.append('b', rec(i))
  await store.sync()
  t.same(writes.sort(), [
    ['a', 20],
    ['b', 5]
  ])
  await store.close()
})

t.test('reopening restores rooms, caps, last seq and the greatest id', async (t) => {
  const dir = t.testdir()
  const store = await openFileHistoryStore(dir, { limit: 10 })
  store.create('dev', 7)
  store.create('lobby', 50)
  await fill(store, 'dev', 1, 4)
  const last = rec(1)
  store.append('lobby', last)
  await store.sync()
  await store.close()
  const again = await openFileHistoryStore(dir, { limit: 10 })
  t.match(again.rooms.sort((a, b) => a.name.localeCompare(b.name)), [
    { name: 'dev', cap: 7, lastSeq: 4 },
    { name: 'lobby', cap: 50, lastSeq: 1 }
  ])
  t.equal(again.lastId, last.id)
  t.same(seqs((await again.recent('dev', 2))), [3, 4])
  await again.close()
})

t.test('compaction keeps the last `limit` records and seq is never reused after it, across restarts', async (t) => {
  const dir = t.testdir()
  const store = await openFileHistoryStore(dir, { limit: 5 })
  store.create('dev', 5)
  for (let batch = 0; batch < 10; batch++) await fill(store, 'dev', batch * 3 + 1, batch * 3 + 3)
  t.same(seqs((await store.recent('dev', 100))), [26, 27, 28, 29, 30], 'readers see the last 5')
  const lines = (await readFile(path.join(dir, 'dev.log'), 'utf8')).trim().split('\n')
  t.ok(lines.length <= 1 + 2 * 5, `the file was compacted (${lines.length} lines)`)
  await store.close()
  const again = await openFileHistoryStore(dir, { limit: 5 })
  t.equal(again.lastSeq('dev'), 30)
  t.same(seqs((await again.recent('dev', 100))), [26, 27, 28, 29, 30])
  t.same(await readdir(dir), ['dev.log'], 'no temp files left')
  await again.close()
})

t.test('after(): exactly the records in (since, upTo]; undefined when older than kept or beyond the room', async (t) => {
  const store = await openFileHistoryStore(t.testdir(), { limit: 5 })
  store.create('dev', 5)
  await fill(store, 'dev', 1, 8) // keeps 4..8
  t.same(seqs((await store.after('dev', 5, 8))!), [6, 7, 8])
  t.same(seqs((await store.after('dev', 5, 7))!), [6, 7])
  t.same(seqs((await store.after('dev', 3, 8))!), [4, 5, 6, 7, 8], 'the oldest kept point still resumes')
  t.same((await store.after('dev', 8, 8)), [])
  t.equal((await store.after('dev', 2, 8)), undefined, 'older than the history')
  t.equal((await store.after('dev', 9, 8)), undefined, 'beyond what the room ever had')
  await store.close()
})

t.test('before(): pages back, newest last, saying whether there is more', async (t) => {
  const store = await openFileHistoryStore(t.testdir(), { limit: 20 })
  store.create('dev', 5)
  await fill(store, 'dev', 1, 12)
  t.same((await store.before('dev', 10, 3)).messages.map((r) => r.seq), [7, 8, 9])
  t.equal((await store.before('dev', 10, 3)).more, true)
  t.same(seqs((await store.before('dev', 3, 5)).messages), [1, 2])
  t.equal((await store.before('dev', 3, 5)).more, false)
  t.same((await store.before('nowhere', 3, 5)), { messages: [], more: false })
  await store.close()
})

t.test('a torn or garbled tail is cut off with a warning naming the file; the rest is kept', async (t) => {
  const dir = t.testdir()
  const store = await openFileHistoryStore(dir, { limit: 10 })
  store.create('dev', 5)
  await fill(store, 'dev', 1, 3)
  await store.close()
  const file = path.join(dir, 'dev.log')
  const good = (await stat(file)).size
  await appendFile(file, '{"seq":4,"id":"zz\n{"seq":5,"i')
  const warnings: string[] = []
  const again = await openFileHistoryStore(dir, { limit: 10, warn: (m) => warnings.push(m) })
  t.equal(warnings.length, 1)
  t.match(warnings[0], file)
  t.equal((await stat(file)).size, good, 'the file is cut back to its last good line')
  t.equal(again.lastSeq('dev'), 3)
  again.append('dev', rec(4))
  await again.sync()
  await again.close()
  const third = await openFileHistoryStore(dir, { limit: 10, warn: () => t.fail('no second warning') })
  t.same(seqs((await third.recent('dev', 10))), [1, 2, 3, 4])
  await third.close()
})

t.test('a log whose header never reached the disk is removed with a warning', async (t) => {
  const dir = t.testdir()
  await writeFile(path.join(dir, 'dev.log'), '{"v":1,"ro')
  const warnings: string[] = []
  const store = await openFileHistoryStore(dir, { limit: 10, warn: (m) => warnings.push(m) })
  t.same(store.rooms, [])
  t.equal(warnings.length, 1)
  t.same(await readdir(dir), [])
  await store.close()
})

t.test('damage other than a tail refuses to open and leaves the file untouched', async (t) => {
  const cases: Record<string, string> = {
    'a bad line before good ones': '{"v":1,"room":"dev","cap":5}\nnot json\n' + JSON.stringify(rec(2)) + '\n',
    'a bad header': '{"v":9,"room":"dev","cap":5}\n' + JSON.stringify(rec(1)) + '\n',
    'a header naming another room': '{"v":1,"room":"ops","cap":5}\n' + JSON.stringify(rec(1)) + '\n',
    'seqs out of order': '{"v":1,"room":"dev","cap":5}\n' + JSON.stringify(rec(2)) + '\n' + JSON.stringify(rec(1)) + '\n'
  }
  for (const [name, content] of Object.entries(cases)) {
    const dir = t.testdir()
    const file = path.join(dir, 'dev.log')
    await writeFile(file, content)
    await t.rejects(openFileHistoryStore(dir, { limit: 10 }), new RegExp(file.replace(/[/.]/g, '\\$&')), name)
    t.equal(await readFile(file, 'utf8'), content, `${name}: untouched`)
  }
})

t.test('a failed write drops that sync’s records of that log only, and the log keeps working', async (t) => {
  const dir = t.testdir()
  const errors: string[] = []
  const store = await openFileHistoryStore(dir, { limit: 10, error: (m) => errors.push(m) })
  store.create('ok', 5)
  store.create('bad', 5)
  await mkdir(path.join(dir, 'bad.log')) // opening it for append fails
  store.append('ok', rec(1))
  store.append('bad', rec(1))
  t.same(await store.sync(), ['bad'])
  t.same(seqs((await store.recent('ok', 10))), [1])
  t.same((await store.recent('bad', 10)), [])
  t.match(errors[0], 'bad.log')
  await import('node:fs/promises').then((fs) => fs.rmdir(path.join(dir, 'bad.log')))
  store.append('bad', rec(2))
  t.same(await store.sync(), [])
  t.same(seqs((await store.recent('bad', 10))), [2])
  await store.close()
  const again = await openFileHistoryStore(dir, { limit: 10 })
  t.same(seqs((await again.recent('bad', 10))), [2], 'the header was written again before the record')
  await again.close()
})

t.test('drop removes the room and its file', async (t) => {
  const dir = t.testdir()
  const store = await openFileHistoryStore(dir, { limit: 10 })
  store.create('dev', 5)
  await fill(store, 'dev', 1, 2)
  await store.drop('dev')
  t.same(await readdir(dir), [])
  t.equal(store.lastSeq('dev'), 0)
  await store.close()
})

t.test('kill -9 during bursts: every acknowledged record is in the log, which reopens cleanly', async (t) => {
  const base = t.testdir()
  for (let round = 0; round < 3; round++) {
    const dir = path.join(base, `round-${round}`)
    // Two lives per round: the second appends to what the first left, across a cut tail and compactions.
    const runAndKill = (delayMs: number) => runUntilKilled('append-history.ts', [dir, '50'], delayMs)
    const acked = [...(await runAndKill(100 + Math.random() * 300)), ...(await runAndKill(50 + Math.random() * 200))]
    t.ok(acked.length > 0, `round ${round}: ${acked.length} acknowledged`)
    const store = await openFileHistoryStore(dir, { limit: 50 })
    const kept = { a: new Set(seqs((await store.recent('a', 50)))), b: new Set(seqs((await store.recent('b', 50)))) }
    const lastA = store.lastSeq('a')
    const lastB = store.lastSeq('b')
    const missing = acked.filter((key) => {
      const [room, n] = key.split(':') as ['a' | 'b', string]
      const seq = Number(n)
      const last = room === 'a' ? lastA : lastB
      return seq > last || (seq > last - 50 && !kept[room].has(seq))
    })
    t.same(missing, [], `round ${round}: every acknowledged record is there`)
    await store.close()
  }
})

t.test('a log is opened O_DSYNC: each append is on disk when its write returns (Linux)', { skip: process.platform !== 'linux' }, async (t) => {
  const dir = t.testdir()
  const store = await openFileHistoryStore(dir, { limit: 10 })
  store.create('dev', 5)
  await fill(store, 'dev', 1, 1)
  const { readdir: readFds, readlink } = await import('node:fs/promises')
  const file = path.join(dir, 'dev.log')
  let flags: number | undefined
  for (const fd of await readFds('/proc/self/fd')) {
    if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) !== file) continue
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8')
    flags = parseInt(/flags:\s+([0-7]+)/.exec(info)![1]!, 8)
  }
  t.ok(flags !== undefined, 'the log is open')
  const { constants } = await import('node:fs')
  t.equal(flags! & constants.O_DSYNC, constants.O_DSYNC, 'O_DSYNC')
  t.equal(flags! & constants.O_APPEND, constants.O_APPEND, 'O_APPEND')
  await store.close()
})
