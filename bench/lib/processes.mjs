// Starting and stopping what the benchmark measures: the servers (pinned to core 0) and the
// load-generator workers (pinned to core 1), with a raised open-file limit. Only the
// processes started here are ever signalled, by their own pid.
import { spawn, fork, execFileSync } from 'node:child_process'
import { request } from 'node:https'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { GEN_CORE, SERVER_CORE } from './procstat.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
export const ROOT = here('../../')
export const FD_LIMIT = 20_000

let hasTaskset = false
try {
  execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
  hasTaskset = true
} catch {}
export const TASKSET = hasTaskset

/** Pins a process and all its threads to one core; a no-op without taskset. */
export function pin(pid, core) {
  if (!hasTaskset) return false
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const started = new Set()
export function killAll() {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL')
}
process.on('exit', killAll)

/** The servers listen here; callgrind_control must see the same HOST as the server (bench/lib/callgrind.mjs). */
export const SERVER_HOST = '127.0.0.1'

const SERVER_COMMANDS = {
  parley: ['dist/server.js'],
  floor: ['bench/servers/floor.mjs'],
  socketio: ['bench/servers/socketio.mjs'],
  fastify: ['bench/servers/fastify.mjs']
}

/**
 * Starts one server: `sh -c 'ulimit -n N; exec node ...'` so the pid is node's own, pinned to
 * core 0. Resolves once it answers HTTPS. `wrap`: a command that runs node (valgrind ...; it
 * keeps the pid), with `startMs`/`probeMs` raised for its slowness.
 */
export async function startServer(kind, { port, env, ca, nodeArgs = [], parleyRoot = ROOT, wrap = [], startMs = 20_000, probeMs = 1000 }) {
  const script = kind === 'parley' ? join(parleyRoot, SERVER_COMMANDS.parley[0]) : join(ROOT, SERVER_COMMANDS[kind][0])
  const cmd = [...wrap, 'node', ...nodeArgs, script].map((a) => `'${a}'`).join(' ')
  const child = spawn('sh', ['-c', `ulimit -n ${FD_LIMIT} 2>/dev/null; exec ${cmd}`], {
    cwd: kind === 'parley' ? parleyRoot : ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: SERVER_HOST },
    stdio: ['ignore', 'inherit', 'pipe']
  })
  started.add(child)
  let stderr = ''
  child.stderr.on('data', (d) => {
    stderr += d
    process.stderr.write(`[${kind}] ${d}`)
  })
  const deadline = Date.now() + startMs
  while (!(await answers(port, ca, probeMs))) {
    if (child.exitCode !== null) throw new Error(`${kind} exited with ${child.exitCode}: ${stderr.trim().slice(-500)}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${kind} did not answer on ${port} within ${startMs / 1000} s`)
    }
    await sleep(100)
  }
  const pinned = pin(child.pid, SERVER_CORE)
  return {
    kind,
    pid: child.pid,
    pinned,
    stop: (graceMs) => stopChild(child, graceMs)
  }
}

function answers(port, ca, timeout) {
  return new Promise((resolve) => {
    const req = request({ host: SERVER_HOST, port, path: '/', ca, timeout }, (res) => {
      res.resume()
      resolve(true)
    })
    req.on('error', () => resolve(false))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

async function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
  started.delete(child)
}

/** Forks n load-generator workers on core 1 and returns a handle to command them. */
export async function startWorkers(n) {
  const workers = []
  for (let i = 0; i < n; i++) {
    const child = fork(here('../loadgen/worker.mjs'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    started.add(child)
    const pending = new Map()
    child.on('message', ({ rid, result, error }) => {
      const p = pending.get(rid)
      if (!p) return
      pending.delete(rid)
      clearTimeout(p.timer)
      error ? p.reject(new Error(`worker ${i}: ${error}`)) : p.resolve(result)
    })
    child.on('exit', (code) => {
      for (const p of pending.values()) p.reject(new Error(`worker ${i} exited (${code})`))
      pending.clear()
    })
    let rid = 0
    workers.push({
      pid: child.pid,
      call(cmd, args, timeoutMs = 120_000) {
        return new Promise((resolve, reject) => {
          const id = ++rid
          const timer = setTimeout(() => {
            pending.delete(id)
            reject(new Error(`worker ${i}: ${cmd} timed out after ${timeoutMs} ms`))
          }, timeoutMs)
          pending.set(id, { resolve, reject, timer })
          child.send({ rid: id, cmd, args })
        })
      },
      stop: () => stopChild(child, 2000)
    })
  }
  // The fd limit of a running process is raised with prlimit when present (the soft limit is
  // inherited and may be low); its absence only limits the idle scenario.
  for (const w of workers) {
    pin(w.pid, GEN_CORE)
    try {
      execFileSync('prlimit', [`--pid=${w.pid}`, `--nofile=${FD_LIMIT}:${FD_LIMIT}`], { stdio: 'ignore' })
    } catch {}
  }
  return {
    workers,
    pids: workers.map((w) => w.pid),
    /** Calls every worker, each with its own args (a function of the worker index). */
    all: (cmd, argsOf = () => ({}), timeoutMs) => Promise.all(workers.map((w, i) => w.call(cmd, argsOf(i), timeoutMs))),
    stop: () => Promise.all(workers.map((w) => w.stop()))
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
