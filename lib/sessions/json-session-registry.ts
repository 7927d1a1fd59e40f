// The session registry on one JSON file (DATA_DIR/sessions.json, 0600): sessions survive a restart,
// ended ones stay ended. Whole-file atomic writes, coalesced (group commit) like the user store.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { readJsonFile, removeStaleTempFiles, writeFileAtomic } from '../shared/atomic-file.js'
import { createMemorySessionRegistry, type SessionRecord, type SessionRegistry } from './session-registry.js'

export interface JsonSessionRegistryOptions {
  ttlMs: number
  /** How often changed `lastActive` values are written. */
  flushEveryMs: number
  clock?: () => number
  /** Replaces the atomic writer (tests count or fail writes with it). */
  writeFile?: (file: string, data: string) => Promise<void>
}

/** Opens (or creates empty) the sessions file; a corrupt or unreadable file is refused and left untouched. */
export async function openJsonSessionRegistry(file: string, options: JsonSessionRegistryOptions): Promise<SessionRegistry> {
  const write = options.writeFile ?? ((target: string, data: string) => writeFileAtomic(target, data, 0o600))
  const clock = options.clock ?? Date.now
  const loaded = await loadSessions(file)
  await removeStaleTempFiles(file)
  if (loaded === undefined) await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  const now = clock()
  const initial = (loaded ?? []).filter((s) => s.expiresAt > now)
  const save = createGroupWriter(file, write)
  const registry = createMemorySessionRegistry(options.ttlMs, clock, {
    initial,
    persistence: { save: (sessions) => save(serialise(sessions)), flushEveryMs: options.flushEveryMs }
  })
  // Written at open: an unwritable data dir stops start-up, and expired sessions leave the file.
  await save(serialise(initial))
  return registry
}

/** Coalesces writes: callers waiting while one runs share the next write, which carries the newest data. */
function createGroupWriter(file: string, write: (file: string, data: string) => Promise<void>) {
  let latest = ''
  let waiting: { resolve: () => void; reject: (err: Error) => void }[] = []
  let running: Promise<void> | undefined
  const run = async () => {
    try {
      await new Promise((resolve) => setImmediate(resolve))
      while (waiting.length > 0) {
        const batch = waiting
        waiting = []
        try {
          await write(file, latest)
          for (const w of batch) w.resolve()
        } catch (cause) {
          const err = new Error(`could not write sessions ${file}: ${(cause as Error).message}`, { cause })
          for (const w of batch) w.reject(err)
        }
      }
    } finally {
      running = undefined
    }
  }
  return (data: string) =>
    new Promise<void>((resolve, reject) => {
      latest = data
      waiting.push({ resolve, reject })
      running ??= run()
    })
}

function serialise(sessions: readonly SessionRecord[]): string {
  return JSON.stringify({ version: 1, sessions }, null, 1) + '\n'
}

async function loadSessions(file: string): Promise<SessionRecord[] | undefined> {
  const data = await readJsonFile(file, (problem, cause) => refuse(file, problem, cause))
  if (data === undefined) return undefined
  if (!isObject(data) || data.version !== 1 || !Array.isArray(data.sessions)) {
    throw refuse(file, 'is not of the shape {"version":1,"sessions":[...]}')
  }
  data.sessions.forEach((s: unknown, i: number) => {
    if (!isSessionRecord(s)) throw refuse(file, `has a malformed session at index ${i}`)
  })
  return data.sessions as SessionRecord[]
}

function refuse(file: string, problem: string, cause?: unknown): Error {
  return new Error(`session registry ${file} ${problem}; the file was left untouched (fix or delete it: deleting signs everyone out)`, {
    cause
  })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isSessionRecord(v: unknown): v is SessionRecord {
  if (!isObject(v)) return false
  const ids = ['id', 'publicId', 'username'].every((k) => typeof v[k] === 'string' && v[k] !== '')
  const strings = ids && typeof v.address === 'string' && typeof v.browser === 'string'
  const times = ['createdAt', 'expiresAt', 'lastActive'].every((k) => Number.isSafeInteger(v[k]))
  return strings && times
}
