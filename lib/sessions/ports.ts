// The sessions port: the live-session registry, which also owns each session's last activity (the
// idle reaper sweeps it). Local adapters: memory-session-registry.ts and json-session-registry.ts.
import Type, { type Static } from 'typebox'
import { SafeInteger } from '../shared/stored-record.js'
import type { Awaitable } from '../shared/ports.js'

export type EndReason = 'logout' | 'revoked' | 'idle' | 'expired'

const Id = Type.String({ minLength: 1 })

/** One live session, as sessions.json holds it. */
export const SessionRecordSchema = Type.Object({
  /** Internal key: the SHA-256 of the bearer token. Neither the token nor this id ever leaves the server. */
  id: Id,
  /** Random id the owner may see and name in the API (GET/DELETE /api/sessions). */
  publicId: Id,
  username: Id,
  createdAt: SafeInteger(),
  expiresAt: SafeInteger(),
  /** The session's last activity (login, an accepted message, an `activity` frame). */
  lastActive: SafeInteger(),
  /** Where it was started from, shown to its owner in the sessions list. */
  address: Type.String(),
  browser: Type.String(),
  /** Widget sessions only: the embedding site's origin, and whether this is an anonymous guest. */
  site: Type.Optional(Type.String()),
  guest: Type.Optional(Type.Boolean())
})
export type SessionRecord = Static<typeof SessionRecordSchema>

/** Where a session was started from. */
export type SessionMeta = Pick<SessionRecord, 'address' | 'browser' | 'site' | 'guest'>

/** Who has just become due an idle warning, and who is due the kick (still live: the reaper ends them). */
export interface IdleSweep {
  warn: { key: string; kickInMs: number }[]
  kick: string[]
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
   * Records activity at `now`: restarts the session's idle clock (persisted lazily, on the
   * registry's own schedule). Runs for every accepted message, so a local adapter answers no promise.
   */
  touch(id: string, now?: number): Awaitable<void>
  /**
   * The sessions quiet for the warning time that were not warned yet, and those quiet for the
   * kick time (ended by the caller). Visits only sessions that are due.
   */
  sweepIdle(now?: number): Awaitable<IdleSweep>
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

/** The idle limits a registry sweeps by: a warning after `warnMs` of quiet, the end after `kickMs`. */
export interface IdleLimits {
  warnMs: number
  kickMs: number
}
