// Server-side record of live sessions: a session ends for good on logout, revocation, idle kick or expiry.
import { hash, randomBytes } from 'node:crypto'

export type EndReason = 'logout' | 'revoked' | 'idle' | 'expired'

/** Where a session was started from, shown to its owner in the sessions list. */
export interface SessionMeta {
  address: string
  browser: string
  /** Widget sessions only: the embedding site's origin, and whether this is an anonymous guest. */
  site?: string
  guest?: boolean
}

export interface SessionRecord extends SessionMeta {
  /** Internal key: the SHA-256 of the bearer token. Neither the token nor this id ever leaves the server. */
  id: string
  /** Random id the owner may see and name in the API (GET/DELETE /api/sessions). */
  publicId: string
  username: string
  createdAt: number
  expiresAt: number
  lastActive: number
}

export interface SessionRegistry {
  /** Starts a session; `token` is the bearer secret for the cookie. Durable when it resolves. */
  create(username: string, meta: SessionMeta): Promise<{ session: SessionRecord; token: string }>
  /** The live session of this bearer token, or undefined when it never existed, ended or expired. */
  get(token: string): Promise<SessionRecord | undefined>
  /** Whether the session with this id is live: `get` for a caller that holds the record already (no token to hash, no copy). */
  isLive(id: string): Promise<boolean>
  /** Live sessions, oldest first: one user's, or everyone's. */
  list(username?: string): Promise<SessionRecord[]>
  /**
   * Records activity (persisted lazily: the registry writes it on its own schedule). Synchronous,
   * with no promise: it runs for every accepted message.
   */
  touch(id: string, now?: number): void
  /** Ends a session by id; listeners hear of it at once, and the end is durable when it resolves. False when it was not live. */
  end(id: string, reason: EndReason): Promise<boolean>
  /** Ends every session past its lifetime (reason 'expired'). */
  endExpired(): Promise<number>
  onEnd(listener: (session: SessionRecord, reason: EndReason) => void): void
  /** Persists pending activity and stops timers. */
  close(): Promise<void>
}

/** How a registry makes its state durable; the memory registry has none. */
export interface SessionPersistence {
  /** Writes every live session; resolves when durable. Calls made while a write runs are coalesced. */
  save(sessions: readonly SessionRecord[]): Promise<void>
  /** How often changed `lastActive` values are written (activity is not written per message). */
  flushEveryMs: number
}

export const TOKEN_BYTES = 32
export const PUBLIC_ID_BYTES = 12

/** The registry's key for a bearer token. */
export function sessionIdOf(token: string): string {
  // One-shot: no Hash object per lookup (~2 us -> ~0.9 us; every upgrade and API call looks one up).
  return hash('sha256', token, 'base64url')
}

/**
 * In-memory registry; with `persistence`, every create and end is written before it resolves
 * (`lastActive` periodically), and `initial` holds the sessions loaded at start.
 */
export function createMemorySessionRegistry(
  ttlMs: number,
  clock: () => number = Date.now,
  options: { persistence?: SessionPersistence; initial?: readonly SessionRecord[] } = {}
): SessionRegistry {
  const sessions = new Map<string, SessionRecord>()
  for (const s of [...(options.initial ?? [])].sort((a, b) => a.createdAt - b.createdAt)) sessions.set(s.id, { ...s })
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
      activityDirty = true
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
