import { Writable } from 'node:stream'
import t from 'tap'
import { createBoundedOutput, createWriteBatch, type Outlet } from '../lib/bounded-output.js'

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
