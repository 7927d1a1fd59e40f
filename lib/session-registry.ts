// Server-side record of live sessions: a session ends for good on logout, idle kick or expiry.
import { randomBytes } from 'node:crypto'

export type EndReason = 'logout' | 'idle' | 'expired'

export interface SessionRecord {
  id: string
  username: string
  createdAt: number
  expiresAt: number
  /** Widget sessions only: the embedding site's origin, and whether this is an anonymous guest. */
  site?: string
  guest?: boolean
}

export interface SessionRegistry {
  create(username: string, embed?: { site: string; guest: boolean }): Promise<SessionRecord>
  /** The live session with this id, or undefined when it never existed, ended or expired. */
  get(id: string): Promise<SessionRecord | undefined>
  /** Ends a session; listeners hear of it once. Returns false when it was not live. */
  end(id: string, reason: EndReason): Promise<boolean>
  /** Ends every session past its lifetime (reason 'expired'). */
  endExpired(): Promise<number>
  onEnd(listener: (session: SessionRecord, reason: EndReason) => void): void
}

/** In-memory registry; sessions do not survive a restart (users log in again, accounts stay). */
export function createMemorySessionRegistry(ttlMs: number, clock: () => number = Date.now): SessionRegistry {
  const sessions = new Map<string, SessionRecord>()
  const listeners: ((s: SessionRecord, r: EndReason) => void)[] = []
  const end = (id: string, reason: EndReason): boolean => {
    const session = sessions.get(id)
    if (!session) return false
    sessions.delete(id)
    for (const listener of listeners) listener(session, reason)
    return true
  }
  return {
    async create(username, embed) {
      const now = clock()
      const session: SessionRecord = { id: randomBytes(24).toString('base64url'), username, createdAt: now, expiresAt: now + ttlMs, ...embed }
      sessions.set(session.id, session)
      return session
    },
    async get(id) {
      const session = sessions.get(id)
      if (session && session.expiresAt <= clock()) {
        end(id, 'expired')
        return undefined
      }
      return session
    },
    async end(id, reason) {
      return end(id, reason)
    },
    async endExpired() {
      const now = clock()
      let n = 0
      // Insertion order is creation order and every session has the same lifetime.
      for (const [id, session] of sessions) {
        if (session.expiresAt > now) break
        end(id, 'expired')
        n++
      }
      return n
    },
    onEnd(listener) {
      listeners.push(listener)
    }
  }
}
