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
    /** Dumps the counters (and zeroes them); resolves with the instructions since the last zero. */
    async dump(pid, timeoutMs = 120_000) {
      await control(pid, '-d')
      return readDump(`${out}.${++dumps}`, timeoutMs)
    }
  }
}

/** The total instruction count of a dump, once the file is complete (its totals line is last). */
export async function readDump(file, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const names = await readdir(dirname(file)).catch(() => [])
    if (names.includes(basename(file))) {
      const total = parseTotals(await readFile(file, 'utf8'))
      if (total !== undefined) return total
    }
    if (Date.now() > deadline) throw new Error(`no complete callgrind dump ${basename(file)} within ${timeoutMs / 1000} s`)
    await sleep(250)
  }
}

/** The `totals:` (or older `summary:`) line of a callgrind profile: the first event, Ir. */
export function parseTotals(text) {
  const m = /^(?:totals|summary): (\d+)/m.exec(text)
  return m ? Number(m[1]) : undefined
}
