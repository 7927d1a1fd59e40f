import t from 'tap'
import { createHashQueue, QueueFullError } from '../../lib/accounts/hash-queue.js'

// A job the test finishes by hand.
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, job: () => opened }
}
const tick = () => new Promise((r) => setImmediate(r))

t.test('runs at most `concurrency` jobs at once, in arrival order', async (t) => {
  const queue = createHashQueue({ concurrency: 2, maxWaiting: 10 })
  const gates = Array.from({ length: 5 }, gate)
  const started: number[] = []
  const runs = gates.map((g, i) => queue.run(async () => (started.push(i), g.job())))
  await tick()
  t.same(started, [0, 1])
  t.equal(queue.running, 2)
  t.equal(queue.waiting, 3)
  gates[1]!.open()
  await tick()
  t.same(started, [0, 1, 2], 'a finished slot goes to the first waiter')
  for (const g of gates) g.open()
  await Promise.all(runs)
  t.equal(queue.running, 0)
  t.equal(queue.waiting, 0)
})

t.test('a full waiting list refuses at once with QueueFullError and a Retry-After estimate', async (t) => {
  let now = 0
  const queue = createHashQueue({ concurrency: 1, maxWaiting: 2, clock: () => now })
  const gates = Array.from({ length: 3 }, gate)
  const runs = gates.map((g) => queue.run(g.job))
  await tick()
  const refused = queue.run(async () => 'never')
  await t.rejects(refused, QueueFullError)
  const err = await refused.catch((e: QueueFullError) => e)
  t.ok((err as QueueFullError).retryAfterSec >= 1)
  t.equal(queue.waiting, 2, 'the refused job did not join the list')
  now = 4000 // jobs now take 4 s each: the estimate grows
  gates[0]!.open()
  await runs[0]
  t.ok(queue.retryAfterSec() > 1, `estimate ${queue.retryAfterSec()} s`)
  for (const g of gates) g.open()
  await Promise.all(runs)
})

t.test('a failing job frees its slot and rejects only its caller', async (t) => {
  const queue = createHashQueue({ concurrency: 1, maxWaiting: 1 })
  const failing = queue.run(async () => {
    throw new Error('boom')
  })
  const next = queue.run(async () => 'ok')
  await t.rejects(failing, /boom/)
  t.equal(await next, 'ok')
  t.equal(queue.running, 0)
})

t.test('maxWaiting 0 means no waiting at all', async (t) => {
  const queue = createHashQueue({ concurrency: 1, maxWaiting: 0 })
  const g = gate()
  const first = queue.run(g.job)
  await t.rejects(queue.run(async () => 1), QueueFullError)
  g.open()
  await first
  t.equal(await queue.run(async () => 2), 2)
})

t.test('bad options stop at once', async (t) => {
  t.throws(() => createHashQueue({ concurrency: 0, maxWaiting: 1 }), /concurrency/)
  t.throws(() => createHashQueue({ concurrency: 1, maxWaiting: -1 }), /maxWaiting/)
})
