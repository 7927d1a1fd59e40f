// The embed port: single-use, short-lived tickets that stand for a widget session (issued over
// HTTPS, redeemed in a socket's first frame). Local adapter: embed-tickets.ts (one map).

export interface TicketStore {
  /**
   * A fresh ticket that stands for the session token `token` until it is redeemed or `ttlMs`
   * passes. A session holds at most `perSession` live tickets: a further one revokes its oldest.
   * Undefined when `max` tickets are live already (nothing was issued).
   */
  issue(token: string): Promise<string | undefined>
  /**
   * The session a ticket stands for, once (looked up and deleted in one atomic step, so two
   * sockets presenting it at once cannot both get it): a used, expired, revoked or unknown
   * ticket gives undefined.
   */
  redeem(ticket: unknown): Promise<string | undefined>
  /** Whether `max` tickets are live (expired ones are forgotten first). */
  isFull(): Promise<boolean>
  /** Forgets expired tickets (a shared store expires them itself). */
  prune(): void
  /** Tickets held (live, or expired and not yet pruned) by this store; for tests and metrics. */
  readonly size: number
}

export interface TicketLimits {
  /** Live tickets one session may hold; issuing another revokes its oldest. */
  perSession: number
  /** Live tickets in total; beyond it issue() answers undefined. */
  max: number
}

/** How long a ticket may wait before its first (and only) use. */
export const TICKET_TTL_MS = 30_000
/** Live tickets one widget session may hold (a few tabs opening at once); another revokes the oldest. */
export const TICKETS_PER_SESSION = 3
