// Single-use, short-lived tickets for widget sockets: when the browser blocks the (partitioned)
// widget cookie, the iframe presents one in the first WebSocket frame, never in a URL.
import { randomBytes } from 'node:crypto'

export interface TicketStore {
  /** A fresh ticket that stands for the session token `token` until it is redeemed or `ttlMs` passes. */
  issue(token: string): string
  /** The session a ticket stands for, once: a used, expired or unknown ticket gives undefined. */
  redeem(ticket: unknown): string | undefined
  /** Forgets expired tickets. */
  prune(): void
}

export const TICKET_PATTERN = /^[A-Za-z0-9_-]{32}$/

export function createTicketStore(ttlMs: number, clock: () => number = Date.now): TicketStore {
  const tickets = new Map<string, { token: string; expiresAt: number }>()
  return {
    issue(token) {
      const ticket = randomBytes(24).toString('base64url')
      tickets.set(ticket, { token, expiresAt: clock() + ttlMs })
      return ticket
    },
    redeem(ticket) {
      if (typeof ticket !== 'string' || !TICKET_PATTERN.test(ticket)) return undefined
      const entry = tickets.get(ticket)
      tickets.delete(ticket)
      return entry && entry.expiresAt > clock() ? entry.token : undefined
    },
    prune() {
      const now = clock()
      for (const [ticket, entry] of tickets) if (entry.expiresAt <= now) tickets.delete(ticket)
    }
  }
}
