// Reads CPU time and memory of processes from /proc: the benchmark reports server CPU per
// operation (CPU time deltas), not only rates, and the background load of the machine.
import { readFileSync, readdirSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

let ticksPerSec = 100
try {
  ticksPerSec = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
} catch {}
export const CLK_TCK = ticksPerSec

/** One thread's run time in ns from its schedstat (throws when the thread is gone). */
const threadNs = (pid, tid) => Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])

/**
 * CPU time of a process in ms, all its threads: from /proc/PID/task/TID/schedstat (the
 * scheduler's nanosecond run time) when the kernel has it, else utime+stime from
 * /proc/PID/stat (10 ms ticks: a 1 s window at a third of a core holds only ~33 of them).
 * NaN when the process is gone.
 */
export function cpuMs(pid) {
  if (SCHEDSTAT) {
    try {
      let ns = 0
      for (const tid of readdirSync(`/proc/${pid}/task`)) ns += threadNs(pid, tid)
      return ns / 1e6
    } catch {
      // a thread gone between listing and reading: fall back to the ticks for this reading
    }
  }
  return tickCpuMs(pid)
}

/** utime+stime (all threads, live and exited) in ms, in clock ticks. */
function tickCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may contain spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSec // fields 14 and 15
  } catch {
    return NaN
  }
}

/**
 * CPU time of a process's main thread alone in ms (its schedstat; NaN without one): what a
 * --cpu-prof profile samples, apart from V8's JIT and GC helper threads and libuv's pool.
 */
export function mainMs(pid) {
  try {
    return threadNs(pid, pid) / 1e6
  } catch {
    return NaN
  }
}

let hasSchedstat = false
try {
  hasSchedstat = Number.isFinite(threadNs(process.pid, process.pid))
} catch {}
/** Whether CPU times come from schedstat (ns) rather than clock ticks. */
export const SCHEDSTAT = hasSchedstat

/** Resident set size in KiB (VmRSS), NaN when the process is gone. */
export function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : NaN
  } catch {
    return NaN
  }
}

/** The soft open-file limit of a process (from /proc/PID/limits), NaN when unknown. */
export function openFileLimit(pid) {
  try {
    const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))
    return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : NaN
  } catch {
    return NaN
  }
}

/** Busy and total CPU time from /proc/stat, in ms: the whole machine, and each core (cores[i]). */
export function machineMs() {
  const parse = (line) => {
    const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number)
    const busy = user + nice + system + irq + softirq + steal
    return { busyMs: (busy * 1000) / ticksPerSec, totalMs: ((busy + idle + iowait) * 1000) / ticksPerSec }
  }
  const lines = readFileSync('/proc/stat', 'utf8').split('\n')
  const cores = lines.filter((l) => /^cpu\d+ /.test(l)).map(parse)
  return { ...parse(lines[0]), cores }
}

export const loadAvg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number)

/**
 * Measures one window: server CPU, load-generator CPU, and what the rest of the machine
 * (other people's work) burnt meanwhile, in cores (1.0 = one core busy all the window).
 */
/** The cores the server and the generator are pinned to (bench/lib/processes.mjs). */
export const SERVER_CORE = 0
export const GEN_CORE = 1

export function startWindow(serverPid, genPids) {
  const t0 = performance.now()
  const mono0 = monoUs()
  const s0 = cpuMs(serverPid)
  const sm0 = mainMs(serverPid)
  const g0 = genPids.map(cpuMs)
  const m0 = machineMs()
  return () => {
    const wallMs = performance.now() - t0
    const serverCpuMs = cpuMs(serverPid) - s0
    const serverMainMs = mainMs(serverPid) - sm0
    const genCpuMs = genPids.map(cpuMs).reduce((sum, v, i) => sum + (v - g0[i]), 0)
    const m1 = machineMs()
    const otherMs = m1.busyMs - m0.busyMs - serverCpuMs - genCpuMs
    // How busy the generator's core was (by anything): with the generator pinned, 1.0 means it could get no more.
    const c0 = m0.cores[GEN_CORE]
    const c1 = m1.cores[GEN_CORE]
    return {
      monoUs: [mono0, monoUs()],
      wallMs: round(wallMs),
      serverCpuMs: round(serverCpuMs),
      serverMainMs: round(serverMainMs),
      genCpuMs: round(genCpuMs),
      serverCores: round(serverCpuMs / wallMs, 3),
      genCores: round(genCpuMs / wallMs, 3),
      backgroundCores: round(Math.max(0, otherMs) / wallMs, 3),
      genCoreBusy: c0 && c1 ? round((c1.busyMs - c0.busyMs) / Math.max(1, c1.totalMs - c0.totalMs), 3) : NaN
    }
  }
}

/** CLOCK_MONOTONIC in µs: the clock of V8's CPU profiles, so samples can be cut to a window. */
const monoUs = () => Number(process.hrtime.bigint() / 1000n)

export const round = (v, digits = 1) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v)
