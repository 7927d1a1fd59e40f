// Widget sessions: a session of kind 'embed' bound to the embedding site, carried by a
// partitioned cookie where the browser allows one, or by a single-use ticket in the first
// WebSocket frame. Also the per-address limits on anonymous guests (live ones, new ones per
// hour) and on tickets (per session, per address, live per session and in total).
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createTicketStore, type TicketStore } from '../../lib/embed/embed-tickets.js'
import type { SessionRecord } from '../../lib/sessions/ports.js'
import { ApiError } from '../../lib/shared/api-error.js'
import { browserFamily } from '../../lib/sessions/browser-family.js'
import { createRateLimiter } from '../../lib/shared/rate-limiter.js'
import type { SiteRoom } from '../../lib/shared/config.js'

/** Partitioned (CHIPS): the browser keeps it per top-level site, so it never tracks across sites. */
export const EMBED_COOKIE = '__Host-parley-embed'
/** How long a ticket may wait before its first (and only) use. */
export const TICKET_TTL_MS = 30_000
/** Live tickets one widget session may hold (a few tabs opening at once); another revokes the oldest. */
export const TICKETS_PER_SESSION = 3
const MINUTE = 60_000
const HOUR = 60 * MINUTE

export const WIDGET_PAGE = '/widget.html'

/** The rooms a site owns (EMBED_ROOMS): the only ones its widget opens, besides the lobby for a site with none. */
export const siteRoomNames = (embedRooms: readonly SiteRoom[], site: string) => embedRooms.filter((r) => r.site === site).map((r) => r.name)

/** The iframe page's policy: as every page's, except who may frame it. */
export function widgetPagePolicy(embedOrigins: readonly string[]): string {
  const ancestors = embedOrigins.length > 0 ? embedOrigins.join(' ') : "'none'"
  return [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:",
    `frame-ancestors ${ancestors}`, "form-action 'self'", "base-uri 'self'", "object-src 'none'"
  ].join('; ')
}

declare module 'fastify' {
  interface FastifyInstance {
    embedTickets: TicketStore
    /** The request's widget session (from the widget cookie), if any. */
    embedSession(request: FastifyRequest): Promise<{ session: SessionRecord; token: string } | undefined>
    /** Starts a widget session for `username` at `site`: sets the widget cookie, returns a ticket. */
    startEmbedSession(request: FastifyRequest, reply: FastifyReply, username: string, site: string, guest: boolean): Promise<{ username: string; ticket: string; rooms: string[] }>
    /** A fresh ticket for a widget session within the ticket limits; throws ApiError 429 or 503 otherwise. */
    issueEmbedTicket(request: FastifyRequest, session: SessionRecord, token: string): string
  }
}

async function embedPlugin(fastify: FastifyInstance) {
  const { sessions, config } = fastify
  const tickets = createTicketStore(TICKET_TTL_MS, Date.now, { perSession: TICKETS_PER_SESSION, max: config.maxTickets })
  fastify.decorate('embedTickets', tickets)
  // Tickets per widget session and per client address: each is a random draw and a map entry.
  const ticketsPerSession = createRateLimiter(config.ticketsPerSessionPerMin / 60, { burst: config.ticketsPerSessionPerMin })
  const ticketsPerAddress = createRateLimiter(config.ticketsPerIpPerMin / 60, { burst: config.ticketsPerIpPerMin })
  // New guests per client address: a guest is a fresh name, so ending one to start the next
  // (which frees its live slot) must not be free.
  const newGuests = createRateLimiter(config.guestsPerIpPerHour / 3600, { burst: config.guestsPerIpPerHour })
  // Live guest sessions per client address (request.addressKey); a session gives its slot back when it ends.
  const guestsByIp = new Map<string, number>()
  const guestIp = new Map<string, string>()
  const releaseGuest = (address: string) => {
    const n = (guestsByIp.get(address) ?? 1) - 1
    if (n > 0) guestsByIp.set(address, n)
    else guestsByIp.delete(address)
  }
  sessions.onEnd((session) => {
    const address = guestIp.get(session.id)
    if (address === undefined) return
    guestIp.delete(session.id)
    releaseGuest(address)
  })

  fastify.decorate('embedSession', async (request: FastifyRequest) => {
    const token = request.cookies?.[EMBED_COOKIE]
    if (typeof token !== 'string' || token.length > 64) return undefined
    const session = await sessions.get(token)
    return session?.site ? { session, token } : undefined
  })

  /** Throws unless a ticket may be issued now: the session's and the address's rates, the total cap. */
  const admitTicket = (request: FastifyRequest, sessionId: string | undefined, now: number) => {
    const perSession = sessionId === undefined ? 0 : ticketsPerSession.wait(sessionId, now)
    const waitMs = Math.max(perSession, ticketsPerAddress.wait(request.addressKey, now))
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000)
      const whose = perSession >= waitMs ? 'for this session' : 'from this address'
      throw new ApiError(429, 'rate_limited', `Too many tickets ${whose}; try again in ${seconds} s.`, seconds)
    }
    if (tickets.isFull()) throw new ApiError(503, 'busy', 'Too many sign-in tickets are waiting to be used; try again shortly.', 1)
  }

  const issueEmbedTicket = (request: FastifyRequest, session: SessionRecord, token: string) => {
    const now = Date.now()
    admitTicket(request, session.id, now)
    const ticket = tickets.issue(token)
    if (ticket === undefined) throw new ApiError(503, 'busy', 'Too many sign-in tickets are waiting to be used; try again shortly.', 1)
    ticketsPerSession.take(session.id, now)
    ticketsPerAddress.take(request.addressKey, now)
    return ticket
  }
  fastify.decorate('issueEmbedTicket', issueEmbedTicket)

  fastify.decorate('startEmbedSession', async (request: FastifyRequest, reply: FastifyReply, username: string, site: string, guest: boolean) => {
    const address = request.addressKey
    // Refused before anything is created: a session that could get no ticket is not started.
    admitTicket(request, undefined, Date.now())
    if (guest) {
      const n = guestsByIp.get(address) ?? 0
      if (n >= config.maxGuestsPerIp) {
        throw new ApiError(429, 'too_many_guests', `At most ${config.maxGuestsPerIp} guest sessions per address; try again later.`)
      }
      const waitMs = newGuests.take(address)
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000)
        throw new ApiError(429, 'too_many_guests', `Too many new guests from this address; try again in ${seconds} s.`, seconds)
      }
      guestsByIp.set(address, n + 1)
    }
    let started: { session: SessionRecord; token: string }
    try {
      const previous = await fastify.embedSession(request)
      if (previous) await sessions.end(previous.session.id, 'logout')
      started = await sessions.create(username, {
        address: request.ip,
        browser: browserFamily(request.headers['user-agent']),
        site,
        guest
      })
    } catch (err) {
      // Nothing was started: the guest's slot and its hourly allowance are given back.
      if (guest) {
        releaseGuest(address)
        newGuests.refund(address)
      }
      throw err
    }
    const { session, token } = started
    if (guest) guestIp.set(session.id, address)
    let ticket: string
    try {
      ticket = issueEmbedTicket(request, session, token)
    } catch (err) {
      // Others took the last ticket while the session was being written: it is ended unused
      // (a guest's slot is given back by onEnd, and its hourly allowance here).
      await sessions.end(session.id, 'logout')
      if (guest) newGuests.refund(address)
      throw err
    }
    fastify.touchSession(session.id) // login is the session's first activity
    // The bearer token itself (HttpOnly): the registry keeps only its hash.
    reply.setCookie(EMBED_COOKIE, token, {
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'none',
      partitioned: true,
      maxAge: Math.ceil(config.sessionTtlMs / 1000)
    })
    return { username, ticket, rooms: siteRoomNames(config.embedRooms, site) }
  })

  // The iframe page may be framed by EMBED_ORIGINS; every other route keeps helmet's
  // frame-ancestors 'none' and X-Frame-Options. (Set on send: the page is a static file.)
  const policy = widgetPagePolicy(config.embedOrigins)
  fastify.addHook('onSend', async (request, reply) => {
    if (request.url.split('?')[0] !== WIDGET_PAGE) return
    reply.header('content-security-policy', policy)
    reply.removeHeader('x-frame-options')
  })

  const timer = setInterval(() => {
    tickets.prune()
    ticketsPerSession.prune()
    ticketsPerAddress.prune()
    newGuests.prune()
  }, TICKET_TTL_MS).unref()
  fastify.addHook('onClose', async () => clearInterval(timer))
}

export default fp(embedPlugin, { name: 'embed', dependencies: ['config', 'auth', 'idle-reaper', 'connection-limits'] })
