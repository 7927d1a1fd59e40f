// Frame floods: replies a client never reads, refused frames, and memory under attack.
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { connect, signUp } from '../helpers/clients.js'
import { heldBytes, peakDuring, runAttack, serverBuffered } from '../helpers/attack.js'

const MiB = 1024 * 1024
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('error replies to a socket that never reads stay under MAX_BUFFERED_BYTES, then it is dropped', async (t) => {
  // Budget and refusal limit out of the way: only the output bound is left to stop this.
  const server = await startServer(t, { maxBufferedBytes: 64 * 1024, frameBudgetPerSec: 10_000, frameBudgetBurst: 10_000, refusedFramesPerMin: 100_000 })
  const cookie = await signUp(server, 'mallory')
  const { result: stats, peak } = await peakDuring(
    runAttack(server, { cookie, sockets: 1, durationMs: 4000, frame: 'x', read: false }),
    () => serverBuffered(server),
    10
  )
  t.ok(peak <= 64 * 1024, `the server never held more than the bound for it (peak ${peak} bytes)`)
  t.ok(stats.connections >= 2, `the non-reading socket was dropped (and came back) within 4 s: ${stats.connections} connections`)
})

t.test('a socket that keeps sending refused frames is closed with 1008 after REFUSED_FRAMES_PER_MIN replies', async (t) => {
  const server = await startServer(t, { refusedFramesPerMin: 20 })
  const mallory = await connect(server, await signUp(server, 'mallory'))
  await mallory.next('welcome')
  for (let i = 0; i < 200; i++) mallory.send('not json')
  t.same(await mallory.waitClose(), { code: 1008, reason: 'too_many_refused_frames' })
  const errors = mallory.frames.filter((f) => f.type === 'error')
  t.equal(errors.length, 20, 'exactly the allowance was answered, the rest was not')
})

t.test('refused frames are forgiven at REFUSED_FRAMES_PER_MIN: a rare mistake never closes the socket', async (t) => {
  const server = await startServer(t, { refusedFramesPerMin: 60_00, messageRatePerSec: 100 })
  const alice = await connect(server, await signUp(server, 'alice'))
  t.teardown(() => alice.ws.close())
  for (let i = 0; i < 5; i++) {
    alice.send({ type: 'message', text: '' })
    t.match(await alice.next('error'), { code: 'empty' })
  }
  alice.send({ type: 'message', text: 'still here' })
  t.match(await alice.next('message'), { text: 'still here' })
})

t.test('every frame spends the socket budget before it is parsed: past the burst even garbage is rate_limited', async (t) => {
  const server = await startServer(t, { frameBudgetPerSec: 1, frameBudgetBurst: 5, messageRatePerSec: 100, refusedFramesPerMin: 1000 })
  const alice = await connect(server, await signUp(server, 'alice'))
  t.teardown(() => alice.ws.close())
  await alice.next('welcome')
  for (let i = 0; i < 5; i++) alice.send({ type: 'message', text: `m${i}` })
  for (let i = 0; i < 3; i++) alice.send('not json at all')
  for (let i = 0; i < 5; i++) t.equal((await alice.next('message')).text, `m${i}`)
  for (let i = 0; i < 3; i++) {
    const err = await alice.next('error')
    t.equal(err.code, 'rate_limited', 'refused by the budget, not judged as invalid: never parsed')
    t.ok(err.retryInMs > 0 && err.retryInMs <= 1000, `retryInMs ${err.retryInMs}`)
  }
})

t.test('memory stays flat while 10 sockets that never read flood tiny invalid frames', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'mallory')
  const bob = await connect(server, await signUp(server, 'bob'))
  t.teardown(() => bob.ws.close())
  await bob.next('welcome')
  await sleep(200)
  const before = heldBytes()
  const { result: stats, peak } = await peakDuring(runAttack(server, { cookie, sockets: 10, durationMs: 4000, frame: '{', read: false }), heldBytes)
  const growthMiB = (peak - before) / MiB
  t.comment(`held bytes: ${(before / MiB).toFixed(1)} MiB before, peak +${growthMiB.toFixed(1)} MiB; ${stats.connections} connections, ${stats.sent} frames sent`)
  t.ok(growthMiB < 48, `peak growth ${growthMiB.toFixed(1)} MiB stays under 48 MiB`)
  t.ok(stats.connections > 10, 'flooding sockets were closed (and reconnected)')
  bob.send({ type: 'message', text: 'still fine' })
  t.match(await bob.next('message'), { text: 'still fine' }, 'other users are served throughout')
})
