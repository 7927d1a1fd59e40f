// Single-use, short-lived tickets for widget sockets: when the browser blocks the (partitioned)
// widget cookie, the iframe presents one in the first WebSocket frame, never in a URL.
import { randomBytes } from 'node:crypto'

export interface TicketStore {
  /**
   * A fresh ticket that stands for the session token `token` until it is redeemed or `ttlMs`
   * passes. A session holds at most `perSession` live tickets: a further one revokes its oldest.
   * Undefined when `max` tickets are live already (nothing was issued).
   */
  issue(token: string): string | undefined
  /** The session a ticket stands for, once: a used, expired, revoked or unknown ticket gives undefined. */
  redeem(ticket: unknown): string | undefined
  /** Whether `max` tickets are live (expired ones are forgotten first). */
  isFull(): boolean
  /** Forgets expired tickets. */
  prune(): void
  /** Tickets held (live, or expired and not yet pruned). */
  readonly size: number
}

export interface TicketLimits {
  /** Live tickets one session may hold; issuing another revokes its oldest. */
  perSession: number
  /** Live tickets in total; beyond it issue() answers undefined. */
  max: number
}

export const TICKET_PATTERN = /^[A-Za-z0-9_-]{32}$/

export function createTicketStore(
  ttlMs: number,
  clock: () => number = Date.now,
  limits: TicketLimits = { perSession: Infinity, max: Infinity }
): TicketStore {
  // Every ticket lives ttlMs: insertion order is expiry order, so pruning stops at the first live one.
  const tickets = new Map<string, { token: string; expiresAt: number }>()
  // Per session token, its tickets oldest first (at most perSession).
  const bySession = new Map<string, string[]>()
  const forget = (ticket: string, token: string) => {
    tickets.delete(ticket)
    const mine = bySession.get(token)
    if (!mine) return
    const i = mine.indexOf(ticket)
    if (i >= 0) mine.splice(i, 1)
    if (mine.length === 0) bySession.delete(token)
  }
  const prune = () => {
    const now = clock()
    for (const [ticket, entry] of tickets) {
      if (entry.expiresAt > now) break
      forget(ticket, entry.token)
    }
  }
  const isFull = () => {
    if (tickets.size < limits.max) return false
    prune()
    return tickets.size >= limits.max
  }
  return {
    issue(token) {
      const mine = bySession.get(token)
      // A session's own oldest ticket makes room for its new one, also at the total cap.
      if (mine && mine.length >= limits.perSession) forget(mine[0]!, token)
      if (isFull()) return undefined
      const ticket = randomBytes(24).toString('base64url')
      tickets.set(ticket, { token, expiresAt: clock() + ttlMs })
      if (mine && bySession.has(token)) mine.push(ticket)
      else bySession.set(token, [ticket])
      return ticket
    },
    redeem(ticket) {
      if (typeof ticket !== 'string' || !TICKET_PATTERN.test(ticket)) return undefined
      const entry = tickets.get(ticket)
      if (!entry) return undefined
      forget(ticket, entry.token)
      return entry.expiresAt > clock() ? entry.token : undefined
    },
    isFull,
    prune,
    get size() {
      return tickets.size
    }
  }
}
