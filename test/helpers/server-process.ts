// The real entry point (server.ts) as a child process, for crash and restart tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Test } from 'tap'

export interface RunningServer {
  child: ChildProcess
  origin: string
  ca: string
  output: () => string
  exit: Promise<number | null>
  started: Promise<void>
}

/** Starts `node --import tsx server.ts` with env (DATA_DIR and CERTS_DIR required); killed at teardown. */
export function runServer(t: Test, env: Record<string, string>): RunningServer {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SCRYPT_COST: '1024', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => (clearTimeout(killer), resolve(code))))
  t.teardown(() => {
    child.kill('SIGKILL')
  })
  const running: RunningServer = {
    child,
    origin: '',
    ca: '',
    output: () => out,
    exit,
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
