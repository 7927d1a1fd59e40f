import { Writable } from 'node:stream'
import t from 'tap'
import { createBoundedOutput, createWriteBatch, MAX_STREAMS, type Outlet } from '../../lib/chat/gateway/bounded-output.js'

/** A stream standing for a socket: records each write that reaches it; `stalled` holds writes (a client not reading). */
function fakeSocket(opts: { stalled?: boolean } = {}) {
  const writes: string[][] = []
  const stream = new Writable({
    highWaterMark: 1 << 20,
    writev(chunks, callback) {
      writes.push(chunks.map((c) => String(c.chunk)))
      if (!opts.stalled) callback()
    },
    write(chunk, _encoding, callback) {
      writes.push([String(chunk)])
      if (!opts.stalled) callback()
    }
  })
  let dropped = 0
  const outlet: Outlet = {
    get bufferedAmount() {
      return stream.writableLength
    },
    get open() {
      return !stream.destroyed
    },
    write: (data) => stream.write(data),
    drop: () => {
      dropped++
      stream.destroy()
    },
    cork: () => stream.cork(),
    uncork: () => stream.uncork()
  }
  return { stream, outlet, writes, dropped: () => dropped }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

t.test('frames sent to one socket in one turn reach it in one write, in order', async (t) => {
  const batch = createWriteBatch()
  const a = fakeSocket()
  const b = fakeSocket()
  const outA = createBoundedOutput(a.outlet, 1 << 20, batch)
  const outB = createBoundedOutput(b.outlet, 1 << 20, batch)
  // Two broadcasts to both sockets, then a reply to one: all in the same turn.
  for (const frame of ['m1', 'm2']) {
    outA.send(Buffer.from(frame))
    outB.send(Buffer.from(frame))
  }
  outA.send(Buffer.from('reply'))
  t.same(a.writes, [], 'nothing is written before the turn ends')
  t.equal(a.outlet.bufferedAmount, 9, 'held frames count as unsent bytes')
  await turn()
  t.same(a.writes, [['m1', 'm2', 'reply']], 'one write carrying every frame, in the order sent')
  t.same(b.writes, [['m1', 'm2']])
  outA.send(Buffer.from('m3'))
  await turn()
  outA.send(Buffer.from('m4'))
  outA.send(Buffer.from('m5'))
  await turn()
  t.same(a.writes, [['m1', 'm2', 'reply'], ['m3'], ['m4', 'm5']], 'each turn is one write; frames never reorder across turns')
})

t.test('one flush is scheduled per turn, however many frames and sockets', async (t) => {
  let scheduled = 0
  const batch = createWriteBatch((flush) => {
    scheduled++
    queueMicrotask(flush)
  })
  const sockets = Array.from({ length: 50 }, () => fakeSocket())
  const outputs = sockets.map((s) => createBoundedOutput(s.outlet, 1 << 20, batch))
  for (let i = 0; i < 10; i++) for (const out of outputs) out.send(Buffer.from(`m${i}`))
  await turn()
  t.equal(scheduled, 1)
  t.ok(sockets.every((s) => s.writes.length === 1 && s.writes[0]!.length === 10))
  outputs[0]!.send(Buffer.from('next'))
  await turn()
  t.equal(scheduled, 2, 'the next turn schedules its own flush')
})

t.test('a slow reader is still dropped at the bound, held frames included', async (t) => {
  const batch = createWriteBatch()
  const slow = fakeSocket({ stalled: true })
  const out = createBoundedOutput(slow.outlet, 100, batch)
  // In one turn: 40 + 40 bytes held; the next 40 would pass the bound of 100.
  t.equal(out.send(Buffer.alloc(40)), true)
  t.equal(out.send(Buffer.alloc(40)), true)
  t.equal(out.send(Buffer.alloc(40)), false, 'refused: the bound counts what this turn holds')
  t.equal(slow.dropped(), 1)
  t.equal(out.dropped, true)
  t.equal(out.send(Buffer.alloc(1)), false, 'nothing more once dropped')
  await turn()
  t.same(slow.writes, [], 'a dropped socket writes nothing, and releasing it is harmless')
})

t.test('across turns a stalled socket accumulates to the bound and is dropped', async (t) => {
  const batch = createWriteBatch()
  const slow = fakeSocket({ stalled: true })
  const out = createBoundedOutput(slow.outlet, 100, batch)
  let sent = 0
  while (out.send(Buffer.alloc(30))) {
    sent++
    await turn()
  }
  t.equal(sent, 3, 'three frames of 30 fit under 100; the fourth is refused')
  t.equal(slow.dropped(), 1)
})

t.test('without a batch (or an outlet that cannot cork), each frame is written at once', async (t) => {
  const a = fakeSocket()
  const out = createBoundedOutput(a.outlet, 1 << 20)
  out.send(Buffer.from('x'))
  t.same(a.writes, [['x']])
  const { cork: _c, uncork: _u, ...plain } = fakeSocket().outlet
  const b = fakeSocket()
  const out2 = createBoundedOutput({ ...plain, write: (d) => b.stream.write(d) }, 1 << 20, createWriteBatch())
  out2.send(Buffer.from('y'))
  t.same(b.writes, [['y']])
})

t.test('a closed outlet sends nothing; a bad bound is refused', async (t) => {
  const a = fakeSocket()
  a.stream.destroy()
  t.equal(createBoundedOutput(a.outlet, 10, createWriteBatch()).send(Buffer.from('x')), false)
  t.throws(() => createBoundedOutput(a.outlet, 0))
})

/** An outlet whose unsent bytes the test sets; flushed() callbacks wait until the test calls them. */
function pacedOutlet() {
  const writes: string[] = []
  const waiting: (() => void)[] = []
  let dropped = 0
  let failed: unknown
  const outlet: Outlet = {
    bufferedAmount: 0,
    open: true,
    write(data) {
      writes.push(String(data))
      ;(this as { bufferedAmount: number }).bufferedAmount += data.length
    },
    drop() {
      dropped++
      ;(this as { open: boolean }).open = false
    },
    flushed: (done) => void waiting.push(done),
    fail: (err) => void (failed = err)
  }
  /** The socket took everything: the flushed() callbacks run. */
  const drain = () => {
    ;(outlet as { bufferedAmount: number }).bufferedAmount = 0
    for (const done of waiting.splice(0)) done()
  }
  return { outlet, writes, waiting, drain, dropped: () => dropped, failed: () => failed }
}

/** A source of `n` frames of `size` bytes named p1..pn, counting its pulls. */
function pages(n: number, size = 30) {
  let i = 0
  const source = () => (i < n ? Buffer.from(`p${++i}`.padEnd(size, '.')) : undefined)
  return { source, pulled: () => i }
}

t.test('a stream is written while the socket holds under half the bound, the rest once it has flushed; never dropped', async (t) => {
  const a = pacedOutlet()
  const out = createBoundedOutput(a.outlet, 100)
  const p = pages(10)
  out.stream(p.source)
  t.same(a.writes.map((w) => w.slice(0, 2)), ['p1'], 'one 30-byte frame: a second would pass 50')
  t.equal(p.pulled(), 2, 'the next frame is pulled and waits (one at most)')
  let rounds = 0
  while (a.waiting.length > 0) {
    a.drain()
    rounds++
  }
  t.equal(a.writes.length, 10, 'every frame, in', { rounds })
  t.same(a.writes.map((w) => w.split('.')[0]), Array.from({ length: 10 }, (_, i) => `p${i + 1}`), 'in order')
  t.equal(a.dropped(), 0, 'never dropped for what the server chose')
  t.equal(out.send(Buffer.from('live')), true, 'after the stream, live frames go out at once again')
  t.equal(a.writes.at(-1), 'live')
})

t.test('live frames sent during a stream follow it in order; past half the bound of them the client is dropped', async (t) => {
  const a = pacedOutlet()
  const out = createBoundedOutput(a.outlet, 100)
  out.stream(pages(3).source)
  out.send(Buffer.from('L1'.padEnd(20, '.')))
  out.stream(pages(1, 10).source)
  out.send(Buffer.from('L2'.padEnd(20, '.')))
  t.same(a.writes.map((w) => w.slice(0, 2)), ['p1'], 'the live frames wait behind the stream')
  while (a.waiting.length > 0) a.drain()
  t.same(a.writes.map((w) => w.slice(0, 2)), ['p1', 'p2', 'p3', 'L1', 'p1', 'L2'], 'everything in the order given')
  const b = pacedOutlet()
  const slow = createBoundedOutput(b.outlet, 100)
  slow.stream(pages(3).source)
  t.equal(slow.send(Buffer.alloc(25)), true)
  t.equal(slow.send(Buffer.alloc(25)), true, 'live frames up to half the bound wait')
  t.equal(slow.send(Buffer.alloc(1)), false, 'one byte more: the client does not read its live traffic')
  t.equal(b.dropped(), 1)
  b.drain()
  t.equal(b.writes.length, 1, 'a dropped client gets nothing more, its stream included')
})

t.test('a stream of reads from disk (promises) keeps its place; a failed read ends the connection as the server\'s fault', async (t) => {
  const a = pacedOutlet()
  const out = createBoundedOutput(a.outlet, 1000)
  let n = 0
  out.stream(() => (n < 3 ? Promise.resolve(Buffer.from(`d${++n}`)) : undefined))
  out.send(Buffer.from('live'))
  t.same(a.writes, [], 'the live frame waits for the read')
  await turn()
  t.same(a.writes, ['d1', 'd2', 'd3', 'live'])
  const b = pacedOutlet()
  const failing = createBoundedOutput(b.outlet, 1000)
  failing.stream(() => Promise.reject(new Error('EIO')))
  failing.send(Buffer.from('live'))
  await turn()
  t.match(b.failed(), { message: 'EIO' }, 'the outlet is told (the socket closes with 1011)')
  t.equal(b.dropped(), 0, 'not dropped as a slow reader')
  t.same(b.writes, [], 'and nothing is written after it')
  const c = pacedOutlet()
  const throwing = createBoundedOutput(c.outlet, 100)
  throwing.send(Buffer.alloc(60)) // unread: the stream waits for flushed()
  let pulls = 0
  throwing.stream(() => {
    if (++pulls === 1) return Buffer.alloc(60) // waits for flushed()
    throw new Error('bug')
  })
  t.equal(c.failed(), undefined)
  t.doesNotThrow(() => c.drain(), 'a source that throws in a write callback does not throw out of it')
  t.match(c.failed(), { message: 'bug' }, 'the connection ends as the server\'s fault')
})

t.test('close() in the middle of a stream lets go of everything: the source is never pulled again', async (t) => {
  const a = pacedOutlet()
  const out = createBoundedOutput(a.outlet, 100)
  const p = pages(10)
  out.stream(p.source)
  out.send(Buffer.from('live'))
  const pulled = p.pulled()
  out.close()
  a.drain() // the pending flushed() callback still comes (a socket's write callbacks do, with an error)
  t.equal(p.pulled(), pulled, 'not pulled after close()')
  t.equal(a.writes.length, 1, 'nothing written after it, the waiting live frame included')
  t.equal(a.waiting.length, 0, 'nothing waits')
})

t.test('a socket that closes in the middle of a stream: the next flushed() callback stops it, nothing more is pulled', async (t) => {
  const a = pacedOutlet()
  const out = createBoundedOutput(a.outlet, 100)
  const p = pages(10)
  out.stream(p.source)
  const pulled = p.pulled()
  ;(a.outlet as { open: boolean }).open = false
  a.drain()
  t.equal(p.pulled(), pulled, 'not pulled once the socket is closed')
  t.equal(a.writes.length, 1, 'nothing written')
  t.equal(a.waiting.length, 0, 'nothing waits')
  let late = 0
  out.stream(() => (late++, undefined))
  t.equal(late, 0, 'a stream given to a closed socket is never pulled')
})

t.test('a client that asks for more server-chosen replies than MAX_STREAMS without reading is dropped', async (t) => {
  const a = pacedOutlet()
  const out = createBoundedOutput(a.outlet, 100)
  out.send(Buffer.alloc(10)) // unread: every stream waits
  for (let i = 0; i < MAX_STREAMS; i++) out.stream(pages(1, 60).source)
  t.equal(a.dropped(), 0)
  out.stream(pages(1).source)
  t.equal(a.dropped(), 1)
})
