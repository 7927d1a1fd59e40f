// --instructions: a server run under valgrind's callgrind, whose counters are zeroed and dumped
// around a measured window with callgrind_control. An instruction count does not move with
// steal time or a busy sibling hyperthread, so it is repeatable where CPU time is not; it
// counts the user-space instructions of every server thread (no kernel time, no cache misses).
import { execFile, execFileSync } from 'node:child_process'
import { readFile, readdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { SERVER_HOST, sleep } from './processes.mjs'

/** valgrind's version when valgrind and callgrind_control are both there, else why not. */
export function findCallgrind() {
  try {
    const version = execFileSync('valgrind', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' })
    return { version }
  } catch {
    return { missing: 'valgrind (with callgrind_control) is not installed; install it (apt-get install valgrind) to count instructions' }
  }
}

/**
 * The command that runs the server under callgrind, and the controls of that run. Dumps go to
 * `<dir>/callgrind.out.<n>`; vgdb's FIFOs live in dir too (removed with it, even after a kill).
 */
export function callgrindRun(dir) {
  const out = join(dir, 'callgrind.out')
  const prefix = join(dir, 'vgdb-pipe')
  let dumps = 0
  // callgrind_control finds the process by FIFO names holding $USER and $HOST: the server's HOST.
  const control = (pid, flag) =>
    new Promise((resolve, reject) => {
      execFile('callgrind_control', [`--vgdb-prefix=${prefix}`, flag, String(pid)], { env: { ...process.env, HOST: SERVER_HOST }, timeout: 120_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`callgrind_control ${flag}: ${(stderr || err.message).trim().slice(-300)}`)) : resolve(stdout)
      )
    })
  return {
    wrap: ['valgrind', '-q', '--tool=callgrind', `--callgrind-out-file=${out}`, `--vgdb-prefix=${prefix}`, '--vgdb=yes'],
    /** Zeroes the counters of every thread. */
    zero: (pid) => control(pid, '-z'),
    /** Dumps the counters (and zeroes them); resolves with the instructions since the last zero (parseDump) and the dump's file. */
    async dump(pid, timeoutMs = 120_000) {
      await control(pid, '-d')
      const file = `${out}.${++dumps}`
      return { ...(await readDump(file, timeoutMs)), file }
    }
  }
}

/** A dump once the file is complete (its `totals:` line comes last). */
export async function readDump(file, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const names = await readdir(dirname(file)).catch(() => [])
    if (names.includes(basename(file))) {
      const dump = parseDump(await readFile(file, 'utf8'))
      if (dump) return dump
    }
    if (Date.now() > deadline) throw new Error(`no complete callgrind dump ${basename(file)} within ${timeoutMs / 1000} s`)
    await sleep(250)
  }
}

/**
 * V8's background JIT compilers (Turbofan; Maglev on newer Node): their jobs run on V8's worker
 * threads, are warm-up rather than per-connection work, and move by 60-400 M instructions from
 * one 200-connection window to the next (they never settle within a run), so they are counted
 * apart.
 */
export const BACKGROUND_COMPILE = /Optimizing\w*::CompileTask::Run|MaglevConcurrentDispatcher::JobTask::Run/

/**
 * A callgrind profile (positions: line, events: Ir): `total` from its `totals:` line (undefined
 * while the file is incomplete) and `compile`, the inclusive instructions of every call into
 * BACKGROUND_COMPILE from outside it (the cost line after each `calls=` is the call's inclusive cost).
 */
export function parseDump(text) {
  const total = /^totals: (\d+)/m.exec(text)
  if (!total) return undefined
  const names = new Map() // compressed function names: `(id) name` defines, `(id)` refers
  const name = (spec) => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(spec)
    if (!m) return spec
    if (m[2] !== undefined) names.set(m[1], m[2])
    return names.get(m[1]) ?? ''
  }
  let inCompile = false
  let callee = ''
  let pendingCall = false
  let compile = 0
  for (const line of text.split('\n')) {
    if (pendingCall) {
      pendingCall = false
      if (!inCompile && BACKGROUND_COMPILE.test(callee)) compile += Number(line.split(' ')[1] ?? 0)
    } else if (line.startsWith('fn=')) inCompile = BACKGROUND_COMPILE.test(name(line.slice(3)))
    else if (line.startsWith('cfn=')) callee = name(line.slice(4))
    else if (line.startsWith('calls=')) pendingCall = true
  }
  return { total: Number(total[1]), compile }
}
