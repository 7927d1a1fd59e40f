// Single-use, short-lived tickets for widget sockets: when the browser blocks the (partitioned)
// widget cookie, the iframe presents one in the first WebSocket frame, never in a URL.
// The ticket port's local adapter: one map in this process.
import { randomBytes } from 'node:crypto'
import type { TicketLimits, TicketStore } from './ports.js'

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
    async issue(token) {
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
    async redeem(ticket) {
      if (typeof ticket !== 'string' || !TICKET_PATTERN.test(ticket)) return undefined
      const entry = tickets.get(ticket)
      if (!entry) return undefined
      forget(ticket, entry.token)
      return entry.expiresAt > clock() ? entry.token : undefined
    },
    isFull: async () => isFull(),
    prune,
    get size() {
      return tickets.size
    }
  }
}
