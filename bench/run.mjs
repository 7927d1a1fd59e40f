// `npm run bench [-- --quick] [--servers parley,floor] [--profile]`: starts the floor, Parley
// and Socket.IO one after another on this machine, drives the same scenarios against each
// from separate load-generator processes, prints one table and writes bench/results/<time>.json.
// Runs under tsx (for the shared certificate code); the servers and workers run on plain node.
import { mkdtemp, mkdir, rm, writeFile, readdir, readFile, copyFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { createSelfSigned } from '../lib/transport/tls-material.ts'
import { PLANS, READ_BATCH_MS, INSTRUCTIONS } from './lib/plan.mjs'
import { ROOT, TASKSET, killAll, startServer, startWorkers } from './lib/processes.mjs'
import { loadAvg, SCHEDSTAT } from './lib/procstat.mjs'
import { setupUsers, connect, fanout, rooms, idle, instructions } from './lib/scenarios.mjs'
import { callgrindRun, findCallgrind } from './lib/callgrind.mjs'
import { buildTable, conditions } from './lib/report.mjs'
import { summariseProfile } from './lib/cpuprofile.mjs'
import { freePort } from '../scripts/free-port.mjs'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    servers: { type: 'string' },
    scenarios: { type: 'string', default: 'idle,connect,fanout,rooms' },
    profile: { type: 'boolean', default: false },
    'profile-scenario': { type: 'string' },
    budget: { type: 'string' },
    instructions: { type: 'boolean', default: false },
    parley: { type: 'string' },
    'no-build': { type: 'boolean', default: false }
  }
})
const plan = { ...PLANS[args.quick ? 'quick' : 'full'] }
if (args.budget) plan.budgetMs = Number(args.budget) * 1000
// --profile: Parley alone under the base fanout load (20 senders, 1,000 clients) for 10 s, sampled by node --cpu-prof.
// --profile-scenario <name>: the same, under another scenario (its measured windows only).
const profiled = args['profile-scenario'] ?? (args.profile ? 'fanout' : undefined)
if (profiled) args.profile = true
if (profiled === 'fanout') Object.assign(plan, { reps: 1, lightReps: 0, stepMs: 10_000, kneeSenders: [] })
// Profiling runs Parley alone unless --servers names others (each is profiled in turn).
const kinds = (args.servers ?? (args.profile ? 'parley' : 'floor,parley,socketio')).split(',').map((s) => s.trim())
const scenarioNames = args.profile ? [profiled] : args.scenarios.split(',').map((s) => s.trim()).filter(Boolean)
// --instructions: after the usual run, the connect scenario once more per server under callgrind.
const callgrind = args.instructions && !args.profile ? findCallgrind() : undefined
const SCENARIOS = { connect, fanout, rooms, idle }
const SERVERS = ['floor', 'parley', 'socketio', 'fastify']
for (const name of kinds) if (!SERVERS.includes(name)) throw new Error(`--servers: unknown server '${name}' (known: ${SERVERS.join(', ')})`)
if (new Set(kinds).size !== kinds.length) throw new Error(`--servers: each server once (got ${kinds.join(',')})`)
for (const name of scenarioNames) if (!(name in SCENARIOS)) throw new Error(`--scenarios: unknown scenario '${name}' (known: ${Object.keys(SCENARIOS).join(', ')})`)
// --parley <dir>: build and run the Parley of another checkout (a branch to compare); default this one.
const parleyRoot = args.parley ? resolve(args.parley) : ROOT
const log = (msg) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`)

// Every setting that could stop the benchmark users is raised; unknown ones are ignored by Parley.
const PARLEY_ENV = {
  SCRYPT_COST: '1024',
  LOG_LEVEL: 'warn',
  REGISTRATIONS_PER_HOUR: '100000',
  LOGIN_FAILURES_PER_MIN: '100000',
  HASH_QUEUE_MAX: '10000',
  MAX_SOCKETS_PER_IP: '10000',
  MAX_CONNECTIONS_PER_IP: '10000',
  CONNECTIONS_PER_IP_PER_MIN: '1000000',
  MAX_SOCKETS_PER_USER: '100',
  ROOM_MAX_USERS: '10000',
  MAX_ROOMS: '10000',
  ROOM_JOINS_PER_MIN: '100000',
  ROOM_CREATES_PER_MIN: '10000',
  ROOMS_PER_USER: '10000',
  ROOMS_PER_IP: '10000',
  IDLE_WARN_MS: '3600000',
  IDLE_KICK_MS: '7200000'
}

// A hard bound on the whole run: whatever happens, everything started here is killed.
const instructionsMs = callgrind?.version ? kinds.length * INSTRUCTIONS.passMs : 0
const hardStop = setTimeout(() => {
  log('hard deadline reached: stopping')
  killAll()
  process.exit(2)
}, args.profile ? kinds.length * 180_000 : plan.budgetMs * 3 + instructionsMs)
hardStop.unref()
process.on('SIGINT', () => (killAll(), process.exit(130)))


/** Starts Parley; a setting that this build's config refuses (out of its range) is lowered and retried. */
async function startParley(env, opts) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startServer('parley', { ...opts, env })
    } catch (err) {
      const name = /Configuration error: ([A-Z_]+):/.exec(err.message)?.[1]
      if (!name || !(name in PARLEY_ENV) || attempt > 6) throw err
      env = { ...env, [name]: String(Math.max(1, Math.floor(Number(env[name]) / 10))) }
      log(`Parley refused ${name}; retrying with ${env[name]}`)
    }
  }
}

async function main() {
  const started = Date.now()
  const tmp = await mkdtemp(join(tmpdir(), 'parley-bench-'))
  try {
    await run(tmp, started)
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

async function run(tmp, started) {
  await mkdir(join(ROOT, 'bench/results'), { recursive: true })
  const { cert, key } = createSelfSigned(['127.0.0.1', 'localhost'])
  await writeFile(join(tmp, 'cert.pem'), cert)
  await writeFile(join(tmp, 'key.pem'), key, { mode: 0o600 })
  const tlsEnv = { TLS_CERT: join(tmp, 'cert.pem'), TLS_KEY: join(tmp, 'key.pem') }
  if (kinds.includes('parley') && !args['no-build']) {
    log('building Parley (node build.mjs)')
    execFileSync('node', ['build.mjs'], { cwd: parleyRoot, stdio: 'inherit' })
  }
  if (callgrind?.missing) log(`--instructions skipped: ${callgrind.missing}`)
  /** Starts one server on a free port with its own data directory; `opts` as startServer's. */
  const start = async (kind, dataDir, opts = {}) => {
    const port = await freePort()
    await mkdir(dataDir)
    log(`starting ${kind} on 127.0.0.1:${port}${opts.wrap ? ' under callgrind' : ''}`)
    const serverOpts = { ...opts, port, ca: cert, parleyRoot }
    const server = kind === 'parley' ? await startParley({ ...tlsEnv, ...PARLEY_ENV, DATA_DIR: dataDir, CERTS_DIR: tmp }, serverOpts) : await startServer(kind, { ...serverOpts, env: tlsEnv })
    return { server, port }
  }

  const results = {
    conditions: {
      date: new Date().toISOString(),
      mode: args.profile ? 'profile' : args.quick ? 'quick' : 'full',
      node: process.versions.node,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model?.trim(),
      taskset: TASKSET,
      cpuClock: SCHEDSTAT ? 'schedstat (ns)' : 'utime+stime (ticks)',
      parley: parleyRoot,
      workers: plan.workers,
      reps: plan.reps,
      loadAvgStart: loadAvg(),
      plan,
      ...(callgrind ? { instructions: callgrind.missing ? { skipped: callgrind.missing } : { valgrind: callgrind.version, ...INSTRUCTIONS } } : {})
    },
    servers: {}
  }

  for (const [k, kind] of kinds.entries()) {
    // Each server gets an equal share of what is left of the budget.
    const serverDeadline = Date.now() + (started + plan.budgetMs - Date.now()) / (kinds.length - k)
    const profileDir = join(tmp, `profile-${kind}`)
    const { server, port } = await start(kind, join(tmp, `data-${kind}`), { nodeArgs: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] })
    const fleet = await startWorkers(plan.workers)
    const ctx = { kind, plan, server, fleet, step: 0, deadline: serverDeadline, log: (m) => log(`${kind}: ${m}`) }
    const out = { pid: server.pid, pinned: server.pinned }
    results.servers[kind] = out
    try {
      await fleet.all('target', () => ({ kind, port, ca: cert, readBatchMs: READ_BATCH_MS }))
      out.setup = await setupUsers(ctx)
      for (const [i, name] of scenarioNames.entries()) {
        ctx.next = scenarioNames[i + 1]
        // Over its share a server still runs every scenario (the knee stops climbing instead);
        // only a run twice over its whole budget skips what is left (3x is the hard stop).
        if (Date.now() > started + 2 * plan.budgetMs) {
          ctx.log(`${name} skipped: time budget spent`)
          out[name] = { skipped: 'time budget spent' }
        } else {
          try {
            out[name] = await SCENARIOS[name](ctx)
            continue
          } catch (err) {
            ctx.log(`${name} failed: ${err.message}`)
            out[name] = { failed: err.message }
          }
        }
        // Whatever a failed or skipped scenario left open (or an earlier one kept for it) is closed.
        await fleet.all('closeAll', () => ({ timeoutMs: 5000 }), 60_000)
        ctx.openClients = 0
      }
    } finally {
      await fleet.stop()
      await server.stop()
    }
    if (args.profile) out.profile = await readProfile(profileDir, profileWindows(out[profiled]), `${kind} under ${profiled} load`)
  }
  // Apart from the usual run, so its timing and budget are not touched by valgrind's slowness.
  const stamp = results.conditions.date.replace(/[:.]/g, '-')
  if (callgrind?.version) for (const kind of kinds) results.servers[kind].instructions = await instructionPass(kind, start, tmp, cert, stamp)

  results.conditions.durationS = Math.round((Date.now() - started) / 1000)
  results.conditions.loadAvgEnd = loadAvg()
  const { table, text } = buildTable(results, plan)
  results.table = table
  const cond = conditions(results)
  const file = join(ROOT, 'bench/results', `${stamp}.json`)
  await writeFile(file, JSON.stringify(results, null, 2))
  console.log(`\n${cond}\n\n${text}\n`)
  if (args.profile) for (const kind of kinds) console.log(`${results.servers[kind].profile.text}\n`)
  console.log(`raw figures: ${file} (${results.conditions.durationS} s)`)
}

/**
 * The connect scenario once more, the server under callgrind (fresh data: Parley's users log in
 * again, only as many as there are connections), bounded by INSTRUCTIONS.passMs. Each window's
 * dump is kept in bench/results for callgrind_annotate or KCachegrind.
 */
async function instructionPass(kind, start, tmp, cert, stamp) {
  const dir = join(tmp, `callgrind-${kind}`)
  await mkdir(dir)
  const cg = callgrindRun(dir)
  const p = { ...plan, users: Math.min(plan.users, INSTRUCTIONS.n), instructions: INSTRUCTIONS }
  const ctxLog = (m) => log(`${kind} (callgrind): ${m}`)
  let server, fleet, timer, over
  const work = async () => {
    const started = await start(kind, join(tmp, `data-${kind}-callgrind`), { wrap: cg.wrap, startMs: INSTRUCTIONS.startMs, probeMs: 30_000 })
    server = started.server
    if (over) return server.stop(1000) // timed out while starting: the finally below has run
    fleet = await startWorkers(plan.workers)
    const ctx = { kind, plan: p, server, fleet, quietMs: 60_000, log: ctxLog }
    await fleet.all('target', () => ({ kind, port: started.port, ca: cert, readBatchMs: READ_BATCH_MS }))
    await setupUsers(ctx)
    const out = await instructions(ctx, cg)
    for (const [r, rep] of out.reps.entries()) {
      for (const which of ['full', 'resume']) {
        const kept = join(ROOT, 'bench/results', `${stamp}.callgrind.${kind}.${which}.${r + 1}.out`)
        await copyFile(rep[which].file, kept)
        rep[which].file = kept
      }
    }
    return out
  }
  try {
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => ((over = true), reject(new Error(`not done within ${INSTRUCTIONS.passMs / 1000} s`))), INSTRUCTIONS.passMs)))
    return await Promise.race([work(), timeout])
  } catch (err) {
    ctxLog(`failed: ${err.message}`)
    return { failed: err.message }
  } finally {
    clearTimeout(timer)
    await fleet?.stop()
    await server?.stop(10_000)
  }
}

/** The measured windows of a scenario's result (every object with `window.monoUs` in it). */
function profileWindows(result) {
  if (!result || typeof result !== 'object') return []
  if (Array.isArray(result.window?.monoUs)) return [result.window.monoUs]
  return Object.values(result).flatMap(profileWindows)
}

async function readProfile(dir, windows, what) {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'))
  if (!files.length) return { text: 'no profile written' }
  const file = join(ROOT, 'bench/results', files[0])
  await copyFile(join(dir, files[0]), file)
  return { file, ...summariseProfile(JSON.parse(await readFile(file, 'utf8')), windows, what) }
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`benchmark failed: ${err.stack ?? err}`)
    killAll()
    process.exit(1)
  }
)
