// Runs attack clients (test/helpers/attacker.mjs) in a child process and samples the server's
// memory meanwhile. Bounded in sockets and time; stops by itself.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { TestServer } from './server.js'
import { childEnv } from './server-process.js'

export interface AttackOptions {
  cookie: string
  sockets: number
  durationMs: number
  /** The text of every frame. */
  frame: string
  /** false: the clients never read a byte. */
  read: boolean
  /** Called when the first attack socket is open. */
  onStart?: () => void
}

export interface AttackStats {
  connections: number
  closes: Record<string, number>
  sent: number
}

export function runAttack(server: TestServer, opts: AttackOptions): Promise<AttackStats> {
  // execArgv: [] and childEnv() so the child loads neither tap's TypeScript nor its coverage hooks (seconds).
  const child = fork(fileURLToPath(new URL('./attacker.mjs', import.meta.url)), [], { execArgv: [], env: childEnv(), stdio: 'ignore' })
  const { onStart, ...options } = opts
  child.send({ url: server.origin.replace('https:', 'wss:') + '/ws', ca: server.ca, origin: server.origin, ...options })
  const killer = setTimeout(() => child.kill(), opts.durationMs + 40_000)
  return new Promise<AttackStats>((resolve, reject) => {
    child.on('message', (message: AttackStats | { started: true }) => ('started' in message ? onStart?.() : resolve(message)))
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`attacker exited ${code} without a report`)))
  }).finally(() => clearTimeout(killer))
}

/** Bytes the server process holds in JS objects and buffers (main thread). */
export const heldBytes = () => {
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}

/** Samples `read` every `everyMs` until `done` settles; resolves with the largest value seen. */
export async function peakDuring<T>(done: Promise<T>, read: () => number, everyMs = 50): Promise<{ result: T; peak: number }> {
  let peak = read()
  const timer = setInterval(() => (peak = Math.max(peak, read())), everyMs)
  try {
    const result = await done
    return { result, peak: Math.max(peak, read()) }
  } finally {
    clearInterval(timer)
  }
}

/** Unsent bytes the server holds for all its chat sockets. */
export const serverBuffered = (server: TestServer) => {
  let total = 0
  for (const socket of server.app.websocketServer.clients) total += socket.bufferedAmount
  return total
}
