// The four scenarios, run against one started server through the worker fleet. Each measured
// window reads the server's CPU from /proc before and after; nothing is measured while
// sockets are set up or torn down unless that is the operation being measured.
import { startWindow, rssKb, cpuMs, openFileLimit, round } from './procstat.mjs'
import { createHistogram, merge, quantile } from './stats.mjs'
import { ADDRESSES, SEND_PERIOD_MS, NOISY_BG_CORES, KNEE_NOISY_RERUNS } from './plan.mjs'
import { findKnee, isGenBound, lightReference } from './knee.mjs'
import { sleep } from './processes.mjs'

const OPEN_TIMEOUT_MS = 30_000

/** Client slot i: its user, worker and source address. Users are reused when slots outnumber them. */
function slots(ctx, n, roomOf = () => 'lobby') {
  const W = ctx.fleet.workers.length
  const perWorker = Array.from({ length: W }, () => [])
  for (let i = 0; i < n; i++) {
    perWorker[i % W].push({ id: i, user: userName(i % ctx.plan.users), addr: ADDRESSES[i % ADDRESSES.length], room: roomOf(i) })
  }
  return perWorker
}
export const userName = (i) => `bench${i}`

async function openAll(ctx, perWorker, { resume = false, concurrency = 16, timeoutMs = OPEN_TIMEOUT_MS } = {}) {
  const results = await ctx.fleet.all('open', (w) => ({ list: perWorker[w], concurrency, resume, timeoutMs }), Math.max(300_000, 2 * timeoutMs))
  const sum = (k) => results.reduce((s, r) => s + r[k], 0)
  const errors = [...new Set(results.flatMap((r) => r.errors))]
  return { opened: sum('opened'), failed: sum('failed'), resumed: sum('resumed'), errors }
}

/** Closes the clients (those from id `keep` on: the first `keep` stay open for the next scenario). */
async function closeAll(ctx, keep = 0) {
  await ctx.fleet.all('closeAll', () => ({ timeoutMs: 5000, fromId: keep }), 60_000)
  ctx.openClients = keep
  await waitQuiet(ctx)
}

/**
 * Waits (at most maxMs) until the server is nearly idle (under 10 % of a core for 200 ms), so
 * a backlog or teardown of one step is not billed to the next.
 */
async function waitQuiet(ctx, maxMs = ctx.quietMs ?? 5000) {
  const deadline = performance.now() + maxMs
  await sleep(100)
  while (performance.now() < deadline) {
    const c0 = cpuMs(ctx.server.pid)
    await sleep(200)
    if (!(cpuMs(ctx.server.pid) - c0 > 20)) return
  }
  ctx.log('server still busy after the settle time')
}

/** Logs the benchmark users in beforehand (Parley only); the cookies stay in the workers. */
export async function setupUsers(ctx) {
  if (ctx.kind !== 'parley') return { users: 0 }
  const W = ctx.fleet.workers.length
  const t0 = performance.now()
  const results = await ctx.fleet.all(
    'login',
    (w) => ({
      users: Array.from({ length: ctx.plan.users / W }, (_, k) => {
        const i = k * W + w
        return { user: userName(i), addr: ADDRESSES[i % ADDRESSES.length] }
      }),
      password: 'bench-password-1',
      concurrency: 24
    }),
    300_000
  )
  const failed = results.reduce((s, r) => s + r.failed, 0)
  if (failed) throw new Error(`login failed for ${failed} users: ${results.flatMap((r) => r.errors).join('; ')}`)
  return { users: ctx.plan.users, ms: round(performance.now() - t0) }
}

/** connect: N full TLS handshakes + upgrades, then N reconnects resuming their TLS sessions. */
export async function connect(ctx) {
  const n = ctx.plan.connectN
  const perWorker = slots(ctx, n)
  // Warm-up (not measured): one whole unmeasured round, full and resumed. The first connections
  // pay for JIT compilation, and a server with more code pays longer: with 50 warm-up
  // connections Parley's three measured rounds still fell (1.14, 0.92, 0.84 ms) while the JIT
  // compiled (callgrind: TurboFan alone 0.37 M instructions per connection more than the floor's).
  for (const resume of [false, true]) {
    await openAll(ctx, perWorker, { resume })
    await closeAll(ctx)
  }
  const reps = []
  for (let r = 0; r < ctx.plan.connectReps; r++) {
    const rep = {}
    for (const resume of [false, true]) {
      const win = startWindow(ctx.server.pid, ctx.fleet.pids)
      const res = await openAll(ctx, perWorker, { resume })
      const m = win()
      await closeAll(ctx)
      if (res.failed) ctx.log(`connect${resume ? ' (resume)' : ''}: ${res.failed} failed: ${res.errors.join('; ')}`)
      rep[resume ? 'resume' : 'full'] = {
        ...res,
        cpuPerConnMs: round(m.serverCpuMs / Math.max(1, res.opened), 3),
        // The server's main thread alone (the rest: V8's JIT and GC helpers, libuv's pool).
        mainCpuPerConnMs: round(m.serverMainMs / Math.max(1, res.opened), 3),
        connPerSec: round((res.opened / m.wallMs) * 1000),
        genCpuPerConnMs: round(m.genCpuMs / Math.max(1, res.opened), 3),
        noisy: m.backgroundCores > NOISY_BG_CORES,
        window: m
      }
    }
    rep.resumeRatio = round(rep.resume.cpuPerConnMs / rep.full.cpuPerConnMs, 3)
    reps.push(rep)
    ctx.log(`connect rep ${r + 1}: full ${rep.full.cpuPerConnMs} ms/conn, resumed ${rep.resume.cpuPerConnMs} ms/conn (${rep.resume.resumed}/${rep.resume.opened} resumed), main thread ${rep.full.mainCpuPerConnMs} and ${rep.resume.mainCpuPerConnMs}, bg ${rep.full.window.backgroundCores} cores`)
  }
  return { n, reps }
}

/**
 * The connect scenario under callgrind (run.mjs --instructions; the server was started under
 * valgrind by the caller, `cg` controls it): a warm-up of full and resumed connections, then
 * `reps` times N full handshakes + upgrades and N resumed ones, each window from a zero to a
 * dump of the counters. A window ends once the server is quiet, so deferred work of these
 * connections (Parley's presence flush) is billed to them; the closing is not.
 */
export async function instructions(ctx, cg) {
  const { n, warmup, reps: count, concurrency, openTimeoutMs } = ctx.plan.instructions
  const opts = { concurrency, timeoutMs: openTimeoutMs }
  for (const resume of [false, true]) {
    await openAll(ctx, slots(ctx, warmup), { ...opts, resume })
    await closeAll(ctx)
  }
  const reps = []
  for (let r = 0; r < count; r++) {
    const rep = {}
    for (const resume of [false, true]) {
      await cg.zero(ctx.server.pid)
      const t0 = performance.now()
      const res = await openAll(ctx, slots(ctx, n), { ...opts, resume })
      await waitQuiet(ctx)
      const { total, compile, file } = await cg.dump(ctx.server.pid)
      const wallMs = round(performance.now() - t0)
      await closeAll(ctx)
      if (res.failed) ctx.log(`instructions${resume ? ' (resume)' : ''}: ${res.failed} failed: ${res.errors.join('; ')}`)
      // The figure leaves out V8's background JIT compiles (bench/lib/callgrind.mjs BACKGROUND_COMPILE); the total stays beside it.
      const perConnM = (v) => round(v / Math.max(1, res.opened) / 1e6, 3)
      rep[resume ? 'resume' : 'full'] = { ...res, instructions: total - compile, instructionsPerConnM: perConnM(total - compile), totalPerConnM: perConnM(total), compilePerConnM: perConnM(compile), wallMs, file }
    }
    rep.resumeRatio = round(rep.resume.instructionsPerConnM / rep.full.instructionsPerConnM, 3)
    reps.push(rep)
    const text = (w) => `${w.instructionsPerConnM} M/conn (+ JIT ${w.compilePerConnM})`
    ctx.log(`instructions rep ${r + 1}: full ${text(rep.full)}, resumed ${text(rep.resume)} (${rep.resume.resumed}/${rep.resume.opened} resumed)`)
  }
  return { n, warmup, concurrency, reps }
}

/**
 * One load step: the given senders send at 0.95/s each for stepMs; then wait (at most drainMs)
 * until every expected delivery arrived. Server CPU is read over send + drain.
 */
async function loadStep(ctx, { sendersPerWorker, roomSize, label }) {
  const step = ++ctx.step
  const { stepMs, drainMs } = ctx.plan
  const win = startWindow(ctx.server.pid, ctx.fleet.pids)
  const sent = (await ctx.fleet.all('startLoad', (w) => ({ step, senders: sendersPerWorker[w], periodMs: SEND_PERIOD_MS, durationMs: stepMs }), stepMs + 60_000)).reduce(
    (s, r) => s + r.sent,
    0
  )
  // A refused message is never delivered: it is counted as refused (target 0), not as a delivery gone missing.
  const expectedOf = (refused) => (sent - refused) * roomSize
  const deadline = performance.now() + drainMs
  let received = 0
  while (performance.now() < deadline) {
    const now = await ctx.fleet.all('stats')
    received = now.reduce((s, r) => s + r.received, 0)
    if (received >= expectedOf(now.reduce((s, r) => s + r.refused, 0))) break
    await sleep(50)
  }
  const m = win()
  const collected = await ctx.fleet.all('collect')
  await waitQuiet(ctx)
  const hist = collected.reduce((h, c) => merge(h, c.hist), createHistogram())
  const sum = (k) => collected.reduce((s, c) => s + c[k], 0)
  const errorCodes = {}
  for (const c of collected) for (const [k, v] of Object.entries(c.errorCodes)) errorCodes[k] = (errorCodes[k] ?? 0) + v
  const senders = sendersPerWorker.reduce((s, l) => s + l.length, 0)
  received = sum('received')
  const expected = expectedOf(sum('refused'))
  const genElu = round(Math.max(...collected.map((c) => c.elu)), 3)
  const out = {
    label,
    senders,
    roomSize,
    sent,
    expected,
    received,
    sampled: sum('sampled'),
    stale: sum('stale'),
    delivered: round(received / Math.max(1, expected), 4),
    refused: sum('refused'),
    errors: sum('errors'),
    errorCodes,
    offeredPerSec: round((expected / stepMs) * 1000),
    deliveriesPerSec: round((received / stepMs) * 1000),
    p50: round(quantile(hist, 0.5), 2),
    p95: round(quantile(hist, 0.95), 2),
    p99: round(quantile(hist, 0.99), 2),
    max: round(hist.max, 2),
    cpuPerDeliveryUs: round((m.serverCpuMs * 1000) / Math.max(1, received), 3),
    cpuPerMessageUs: round((m.serverCpuMs * 1000) / Math.max(1, sent), 1),
    genCpuPerDeliveryUs: round((m.genCpuMs * 1000) / Math.max(1, received), 3),
    deliveriesPerRecord: round(received / Math.max(1, sum('reads')), 2),
    genElu,
    genBound: isGenBound({ genCores: m.genCores, genElu }),
    noisy: m.backgroundCores > NOISY_BG_CORES,
    window: m
  }
  ctx.log(
    `${label}: ${senders} senders, ${out.deliveriesPerSec}/s delivered (${round(out.delivered * 100, 2)}%), p50 ${out.p50} p99 ${out.p99} ms, ` +
      `server ${out.cpuPerDeliveryUs} gen ${out.genCpuPerDeliveryUs} us/delivery, refused ${out.refused}, ` +
      `cores: server ${m.serverCores} gen ${m.genCores} (loop ${genElu}${out.genBound ? ' SATURATED' : ''}, core ${m.genCoreBusy} busy) bg ${m.backgroundCores}${out.noisy ? ' NOISY' : ''}`
  )
  return out
}

/** Picks `count` senders with distinct users, spread evenly over the clients, grouped by worker. */
function pickSenders(ctx, perWorker, n, count) {
  const stride = Math.min(n, ctx.plan.users) / count
  const chosen = new Set(Array.from({ length: count }, (_, k) => Math.floor(k * stride)))
  return perWorker.map((list) => list.filter((c) => chosen.has(c.id)).map((c) => c.id))
}

/**
 * fanout: 1,000 clients in one room. A light step (5 senders) gives the reference median; the
 * 20-sender step (19,000 deliveries/s) is repeated; then senders are raised step by step until
 * a step explodes (lib/knee.mjs) or one is generator-bound.
 */
export async function fanout(ctx) {
  const n = ctx.plan.fanoutClients
  const perWorker = slots(ctx, n)
  // The idle scenario, when it ran just before, left exactly these clients open.
  if (ctx.openClients !== n) {
    const res = await openAll(ctx, perWorker)
    if (res.failed) throw new Error(`fanout: ${res.failed} sockets failed to open: ${res.errors.join('; ')}`)
    await waitQuiet(ctx)
  }
  const step = (senders, label) => loadStep(ctx, { sendersPerWorker: pickSenders(ctx, perWorker, n, senders), roomSize: n, label })
  const light = []
  for (let r = 0; r < ctx.plan.lightReps; r++) light.push(await step(ctx.plan.lightSenders, `fanout light ${r + 1}`))
  const base = []
  for (let r = 0; r < ctx.plan.reps; r++) base.push(await step(ctx.plan.baseSenders, `fanout base ${r + 1}`))
  const lightP50 = lightReference([...light, ...base])
  const steps = [...light, ...base]
  const judged = () => findKnee(lightP50, steps)
  // A step that exploded while other processes kept the machine busy is run once more (at most
  // KNEE_NOISY_RERUNS per server) and the knee is judged on the rerun: noise only adds latency.
  let reruns = 0
  const rerunNoisy = async () => {
    for (;;) {
      const i = judged().verdicts.indexOf('exploded')
      const s = steps[i]
      if (!s || !s.noisy || s.rerun || reruns >= KNEE_NOISY_RERUNS) return
      reruns++
      s.superseded = true
      const again = await step(s.senders, `${s.label} rerun (noisy)`)
      again.rerun = true
      steps.splice(i + 1, 0, again)
    }
  }
  await rerunNoisy()
  let stoppedForTime
  for (const senders of ctx.plan.kneeSenders.filter((s) => s <= Math.min(n, ctx.plan.users))) {
    if (judged().status !== 'not-reached') break
    if (Date.now() > ctx.deadline) {
      ctx.log(`knee: stopped before ${senders} senders: this server's share of the time budget is spent`)
      stoppedForTime = senders
      break
    }
    steps.push(await step(senders, 'fanout knee'))
    await rerunNoisy()
  }
  await closeAll(ctx)
  const k = judged()
  steps.forEach((s, i) => (s.verdict = k.verdicts[i]))
  const { verdicts, ...knee } = k
  knee.noisy = steps.some((s, i) => verdicts[i] !== 'not run' && verdicts[i] !== 'superseded' && s.noisy)
  knee.reruns = reruns
  ctx.log(`knee: ${knee.status}, ${knee.deliveriesPerSec}/s (${knee.kneeSenders} senders; light p50 ${lightP50} ms, limit ${round(knee.limitP50, 2)} ms${knee.explodedAt ? `, exploded at ${knee.explodedAt} senders` : ''})`)
  return { n, light, base, steps: steps.filter((s) => !light.includes(s) && !base.includes(s)), knee: { ...knee, lightP50, limitP50: round(knee.limitP50, 2), stoppedForTime } }
}

/**
 * rooms: the same 1,000 clients in 100 rooms of 10 (client i in room i mod 100); every client
 * with its own user sends at 0.95/s: all 1,000 in the full run (9,500 deliveries/s), 2 per room
 * with --quick.
 */
export async function rooms(ctx) {
  const { count, size } = ctx.plan.rooms
  const n = count * size
  const roomOf = (i) => `r${i % count}`
  const perWorker = slots(ctx, n, ctx.kind === 'parley' ? () => 'lobby' : roomOf)
  const res = await openAll(ctx, perWorker)
  if (res.failed) throw new Error(`rooms: ${res.failed} sockets failed to open: ${res.errors.join('; ')}`)
  if (ctx.kind === 'parley') {
    // Parley's clients start in the lobby: the first of each ten creates the room, the rest join.
    const creators = await ctx.fleet.all('joinRooms', (w) => ({ list: perWorker[w].filter((c) => c.id < count).map((c) => ({ id: c.id, room: roomOf(c.id), create: true })), cap: size, timeoutMs: 10_000 }))
    const failedCreate = creators.flatMap((r) => r.errors)
    if (creators.every((r) => r.joined === 0) && failedCreate.length) {
      await closeAll(ctx)
      ctx.log(`rooms: unsupported by this Parley build (${failedCreate[0]})`)
      return { unsupported: true, reason: failedCreate[0] }
    }
    const joins = await ctx.fleet.all('joinRooms', (w) => ({ list: perWorker[w].filter((c) => c.id >= count).map((c) => ({ id: c.id, room: roomOf(c.id), create: false })), timeoutMs: 10_000 }))
    const failed = [...creators, ...joins].reduce((s, r) => s + r.failed, 0)
    if (failed) throw new Error(`rooms: ${failed} joins failed: ${[...creators, ...joins].flatMap((r) => r.errors).join('; ')}`)
  }
  await waitQuiet(ctx)
  const reps = []
  for (let r = 0; r < ctx.plan.reps; r++) {
    reps.push(await loadStep(ctx, { sendersPerWorker: perWorker.map((l) => l.filter((c) => c.id < ctx.plan.users).map((c) => c.id)), roomSize: size, label: `rooms ${r + 1}` }))
  }
  await closeAll(ctx)
  return { rooms: count, size, reps }
}

/**
 * idle: N open sockets doing nothing; server RSS growth per socket over its RSS before the
 * first socket. Sockets are added cumulatively (5,000, then 5,000 more to reach 10,000) so
 * memory freed by an earlier teardown cannot hide the cost; run before the other scenarios.
 */
export async function idle(ctx) {
  // Each socket is one descriptor in the server and one in a worker: check the limits first.
  const most = Math.max(...ctx.plan.idle)
  const limits = { server: openFileLimit(ctx.server.pid), workers: ctx.fleet.pids.map(openFileLimit) }
  const short = limits.server < most + 200 || limits.workers.some((l) => l < most / ctx.fleet.workers.length + 200)
  if (short) ctx.log(`idle: open-file limits too low for ${most} sockets (server ${limits.server}, workers ${limits.workers.join('/')}): expect failures`)
  const points = []
  await waitQuiet(ctx)
  const before = rssKb(ctx.server.pid)
  let prev = 0
  for (const n of ctx.plan.idle) {
    const perWorker = slots(ctx, n).map((list) => list.filter((c) => c.id >= prev))
    const win = startWindow(ctx.server.pid, ctx.fleet.pids)
    const res = await openAll(ctx, perWorker, { concurrency: 32 })
    const m = win()
    await waitQuiet(ctx)
    await sleep(ctx.plan.idleSettleMs)
    const after = rssKb(ctx.server.pid)
    const open = (await ctx.fleet.all('count')).reduce((s, r) => s + r.open, 0)
    const p = { n, opened: res.opened, failed: res.failed, errors: res.errors, open, rssBeforeKb: before, rssAfterKb: after, rssPerSocketKb: round((after - before) / Math.max(1, open), 2), noisy: m.backgroundCores > NOISY_BG_CORES, window: m }
    ctx.log(`idle ${n}: ${open} open, RSS ${before} -> ${after} KiB = ${p.rssPerSocketKb} KiB/socket${res.failed ? `, ${res.failed} failed: ${res.errors.join('; ')}` : ''}`)
    points.push(p)
    prev = n
  }
  // The fanout scenario, when it comes next, takes over the first 1,000 (same ids, users, addresses, room).
  await closeAll(ctx, ctx.next === 'fanout' && prev >= ctx.plan.fanoutClients ? ctx.plan.fanoutClients : 0)
  return { rssBeforeKb: before, openFileLimits: limits, points }
}
