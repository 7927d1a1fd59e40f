// The sessions port's local adapter on one JSON file (DATA_DIR/sessions.json, 0600): sessions
// survive a restart, ended ones stay ended. Whole-file atomic writes, coalesced by the shared
// group-commit writer like the user store's.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import Type from 'typebox'
import { readJsonFile, removeStaleTempFiles, writeFileAtomic } from '../shared/atomic-file.js'
import { createGroupWriter } from '../shared/group-writer.js'
import { recordCheck } from '../shared/stored-record.js'
import { createMemorySessionRegistry } from './memory-session-registry.js'
import { SessionRecordSchema, type IdleLimits, type SessionRecord, type SessionRegistry } from './ports.js'

export interface JsonSessionRegistryOptions {
  ttlMs: number
  /** How often changed `lastActive` values are written. */
  flushEveryMs: number
  clock?: () => number
  /** What sweepIdle() sweeps by; without it, nobody is due. */
  idle?: IdleLimits
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
  let latest = ''
  const writer = createGroupWriter({ what: `sessions ${file}`, snapshot: () => latest, write: (data) => write(file, data) })
  const save = (data: string) => {
    latest = data
    return writer.commit()
  }
  const registry = createMemorySessionRegistry(options.ttlMs, clock, {
    initial,
    ...(options.idle && { idle: options.idle }),
    persistence: { save: (sessions) => save(serialise(sessions)), flushEveryMs: options.flushEveryMs }
  })
  // Written at open: an unwritable data dir stops start-up, and expired sessions leave the file.
  await save(serialise(initial))
  return registry
}

function serialise(sessions: readonly SessionRecord[]): string {
  return JSON.stringify({ version: 1, sessions }, null, 1) + '\n'
}

const isSessionsFile = recordCheck(Type.Object({ version: Type.Literal(1), sessions: Type.Array(Type.Unknown()) }))
const isSessionRecord = recordCheck(SessionRecordSchema)

async function loadSessions(file: string): Promise<SessionRecord[] | undefined> {
  const data = await readJsonFile(file, (problem, cause) => refuse(file, problem, cause))
  if (data === undefined) return undefined
  if (!isSessionsFile(data)) {
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
