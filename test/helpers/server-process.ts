// The real entry point (server.ts) as a child process, for crash and restart tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/**
 * The environment for a child process: this one's without tap's NODE_OPTIONS, whose process-info
 * (coverage) hook costs a child 1.5-3 s of start-up on this machine; a child killed with SIGKILL
 * never reports coverage anyway.
 */
export const childEnv = (env: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, NODE_OPTIONS: '', ...env })

export interface RunningServer {
  child: ChildProcess
  origin: string
  ca: string
  output: () => string
  /** The exit code (null when a signal ended it). */
  exit: Promise<number | null>
  /** The signal that ended it, or its exit code. */
  ended: Promise<NodeJS.Signals | number | null>
  /** Rejects when it exits before serving (a test of a failed start awaits `exit` instead). */
  started: Promise<void>
}

/** Starts `node --import tsx server.ts` with env (DATA_DIR and CERTS_DIR required); killed at teardown. */
export function runServer(t: Test, env: Record<string, string>): RunningServer {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    env: childEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SCRYPT_COST: '1024', ...env }),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const ended = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => (clearTimeout(killer), resolve(signal ?? code)))
  )
  const exit = ended.then(() => child.exitCode)
  t.teardown(() => {
    child.kill('SIGKILL')
  })
  const running: RunningServer = {
    child,
    origin: '',
    ca: '',
    output: () => out,
    exit,
    ended,
    started: new Promise((resolve, reject) => {
      const check = async () => {
        const m = /Parley is serving https:\/\/127\.0\.0\.1:(\d+)/.exec(out)
        if (!m) return
        child.stdout!.off('data', check)
        running.origin = `https://127.0.0.1:${m[1]}`
        running.ca = await readFile(join(env.CERTS_DIR!, 'cert.pem'), 'utf8')
        resolve()
      }
      child.stdout!.on('data', check)
      exit.then((code) => reject(new Error(`exited ${code}: ${out}`)))
    })
  }
  running.started.catch(() => {})
  return running
}

/**
 * Runs a fixture (a script in test/fixtures) that prints `ready`, then one line per durable write;
 * kills it with SIGKILL `delayMs` after `ready` and resolves with the complete lines after it
 * (each one acknowledged a write before the kill). Rejects if it ends any other way.
 */
export function runUntilKilled(fixture: string, args: string[], delayMs: number): Promise<string[]> {
  const script = join(ROOT, 'test', 'fixtures', fixture)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let timer: NodeJS.Timeout | undefined
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      if (!timer && out.startsWith('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), delayMs)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(guard)
      clearTimeout(timer)
      if (signal !== 'SIGKILL' || !timer) return reject(new Error(`child ended early (${code ?? signal}): ${err}`))
      // Only complete lines: each one was written after its record was durable.
      resolve(out.split('\n').slice(1, -1))
    })
  })
}
