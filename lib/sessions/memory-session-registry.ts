// The sessions port's memory adapter (with `persistence`, the JSON file's too): a session ends for
// good on logout, revocation, idle kick or expiry, and its last activity lives here alone.
import { hash, randomBytes } from 'node:crypto'
import { createIdleTracker } from './idle-tracker.js'
import type { EndReason, IdleLimits, SessionPersistence, SessionRecord, SessionRegistry } from './ports.js'

export const TOKEN_BYTES = 32
export const PUBLIC_ID_BYTES = 12

/** The registry's key for a bearer token. */
export function sessionIdOf(token: string): string {
  // One-shot: no Hash object per lookup (~2 us -> ~0.9 us; every upgrade and API call looks one up).
  return hash('sha256', token, 'base64url')
}

export interface MemorySessionRegistryOptions {
  persistence?: SessionPersistence
  /** The sessions loaded at start. */
  initial?: readonly SessionRecord[]
  /** What sweepIdle() sweeps by; without it, nobody is due (sessions only expire). */
  idle?: IdleLimits
}

/**
 * In-memory registry; with `persistence`, every create and end is written before it resolves
 * (`lastActive` periodically), and `initial` holds the sessions loaded at start.
 */
export function createMemorySessionRegistry(
  ttlMs: number,
  clock: () => number = Date.now,
  options: MemorySessionRegistryOptions = {}
): SessionRegistry {
  const sessions = new Map<string, SessionRecord>()
  for (const s of [...(options.initial ?? [])].sort((a, b) => a.createdAt - b.createdAt)) sessions.set(s.id, { ...s })
  // Sessions in order of last activity, so an idle sweep visits only those that are due; the
  // times are the records' own lastActive (a restart resumes each idle clock from it).
  const activity = options.idle && createIdleTracker(options.idle, clock)
  if (activity) for (const s of [...sessions.values()].sort((a, b) => a.lastActive - b.lastActive)) activity.touch(s.id, s.lastActive)
  const listeners: ((s: SessionRecord, r: EndReason) => void)[] = []
  const persistence = options.persistence
  let activityDirty = false
  /** Writes not yet finished: close() waits for them, so nothing writes after the app closed. */
  const writing = new Set<Promise<void>>()
  let closed = false
  const save = async () => {
    // After close (sockets closing at shutdown end guest sessions) nothing more is written.
    if (!persistence || closed) return
    activityDirty = false
    const write = persistence.save([...sessions.values()])
    writing.add(write)
    try {
      await write
    } finally {
      writing.delete(write)
    }
  }
  const flushTimer = persistence
    ? setInterval(() => {
        if (activityDirty) save().catch(() => (activityDirty = true))
      }, persistence.flushEveryMs).unref()
    : undefined

  // Removes it from memory and tells listeners synchronously, so sockets close at once.
  const drop = (id: string, reason: EndReason): boolean => {
    const session = sessions.get(id)
    if (!session) return false
    sessions.delete(id)
    activity?.remove(id)
    for (const listener of listeners) listener({ ...session }, reason)
    return true
  }
  const dropExpired = (now: number): number => {
    let n = 0
    // Insertion order is creation order and every session has the same lifetime.
    for (const [id, session] of sessions) {
      if (session.expiresAt > now) break
      drop(id, 'expired')
      n++
    }
    return n
  }

  return {
    async create(username, meta) {
      const now = clock()
      const token = randomBytes(TOKEN_BYTES).toString('base64url')
      const session: SessionRecord = {
        id: sessionIdOf(token),
        publicId: randomBytes(PUBLIC_ID_BYTES).toString('base64url'),
        username,
        createdAt: now,
        expiresAt: now + ttlMs,
        lastActive: now,
        address: meta.address,
        browser: meta.browser,
        ...(meta.site !== undefined && { site: meta.site, guest: Boolean(meta.guest) })
      }
      sessions.set(session.id, session)
      activity?.touch(session.id, now)
      await save()
      return { session: { ...session }, token }
    },
    async get(token) {
      const id = sessionIdOf(token)
      const session = sessions.get(id)
      if (session && session.expiresAt <= clock()) {
        drop(id, 'expired')
        await save()
        return undefined
      }
      return session && { ...session }
    },
    async isLive(id) {
      const session = sessions.get(id)
      return session !== undefined && session.expiresAt > clock()
    },
    async list(username) {
      if (dropExpired(clock()) > 0) await save()
      const all = [...sessions.values()]
      return (username === undefined ? all : all.filter((s) => s.username === username)).map((s) => ({ ...s }))
    },
    touch(id, now = clock()) {
      const session = sessions.get(id)
      if (!session) return
      session.lastActive = Math.max(session.lastActive, now)
      activity?.touch(id, session.lastActive)
      activityDirty = true
    },
    sweepIdle(now = clock()) {
      return activity ? activity.sweep(now) : { warn: [], kick: [] }
    },
    async end(id, reason) {
      if (!drop(id, reason)) return false
      await save()
      return true
    },
    async endExpired() {
      const n = dropExpired(clock())
      if (n > 0) await save()
      return n
    },
    onEnd(listener) {
      listeners.push(listener)
    },
    async close() {
      clearInterval(flushTimer)
      if (activityDirty) await save()
      // A session ended just before the close (a kick, a logout) may still be on its way to disk.
      await Promise.allSettled([...writing])
      closed = true
    }
  }
}
