// Widget sessions: a session of kind 'embed' bound to the embedding site, carried by a
// partitioned cookie where the browser allows one, or by a single-use ticket in the first
// WebSocket frame. Also the per-address limits on anonymous guests (live ones, new ones per
// hour) and on tickets (per session, per address, live per session and in total).
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SessionRecord } from '../../lib/sessions/ports.js'
import { ApiError } from '../../lib/shared/api-error.js'
import { browserFamily } from '../../lib/sessions/browser-family.js'
import { TICKET_TTL_MS, TICKETS_PER_SESSION } from '../../lib/embed/ports.js'
import type { SiteRoom } from '../../lib/shared/config.js'

/** Partitioned (CHIPS): the browser keeps it per top-level site, so it never tracks across sites. */
export const EMBED_COOKIE = '__Host-parley-embed'
export { TICKET_TTL_MS, TICKETS_PER_SESSION }

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
    /** The request's widget session (from the widget cookie), if any. */
    embedSession(request: FastifyRequest): Promise<{ session: SessionRecord; token: string } | undefined>
    /** Starts a widget session for `username` at `site`: sets the widget cookie, returns a ticket. */
    startEmbedSession(request: FastifyRequest, reply: FastifyReply, username: string, site: string, guest: boolean): Promise<{ username: string; ticket: string; rooms: string[] }>
    /** A fresh ticket for a widget session within the ticket limits; throws ApiError 429 or 503 otherwise. */
    issueEmbedTicket(request: FastifyRequest, session: SessionRecord, token: string): Promise<string>
  }
}

async function embedPlugin(fastify: FastifyInstance) {
  const { sessions, config, embedTickets: tickets } = fastify
  const { ticketsPerSession, ticketsPerAddress, newGuests } = fastify.embedLimits
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

  const busy = () => new ApiError(503, 'busy', 'Too many sign-in tickets are waiting to be used; try again shortly.', 1)
  /** The 429 for a session's (perSession ms) or an address's (perAddress ms) ticket rate, or nothing when neither waits. */
  const rateRefusal = (perSession: number, perAddress: number) => {
    const waitMs = Math.max(perSession, perAddress)
    if (waitMs === 0) return undefined
    const seconds = Math.ceil(waitMs / 1000)
    const whose = perSession >= waitMs ? 'for this session' : 'from this address'
    return new ApiError(429, 'rate_limited', `Too many tickets ${whose}; try again in ${seconds} s.`, seconds)
  }

  /** Throws unless a ticket could be issued now (the address's rate, the total cap); takes nothing. */
  const admitTicket = async (request: FastifyRequest, now: number) => {
    const refusal = rateRefusal(0, await ticketsPerAddress.wait(request.addressKey, now))
    if (refusal) throw refusal
    if (await tickets.isFull()) throw busy()
  }

  // Tokens are taken first and given back when no ticket comes of them: check and take are one
  // step per limit, so concurrent requests cannot both pass a check meant for one.
  const issueEmbedTicket = async (request: FastifyRequest, session: SessionRecord, token: string) => {
    const now = Date.now()
    const perSession = await ticketsPerSession.take(session.id, now)
    const perAddress = await ticketsPerAddress.take(request.addressKey, now)
    const giveBack = async () => {
      if (perSession === 0) await ticketsPerSession.refund(session.id, now)
      if (perAddress === 0) await ticketsPerAddress.refund(request.addressKey, now)
    }
    const refusal = rateRefusal(perSession, perAddress)
    // At the total cap nobody gets one, a session replacing its own oldest neither (as the store would allow).
    const ticket = refusal || (await tickets.isFull()) ? undefined : await tickets.issue(token)
    if (ticket === undefined) {
      await giveBack()
      throw refusal ?? busy()
    }
    return ticket
  }
  fastify.decorate('issueEmbedTicket', issueEmbedTicket)

  fastify.decorate('startEmbedSession', async (request: FastifyRequest, reply: FastifyReply, username: string, site: string, guest: boolean) => {
    const address = request.addressKey
    // Refused before anything is created: a session that could get no ticket is not started.
    await admitTicket(request, Date.now())
    if (guest) {
      const n = guestsByIp.get(address) ?? 0
      if (n >= config.maxGuestsPerIp) {
        throw new ApiError(429, 'too_many_guests', `At most ${config.maxGuestsPerIp} guest sessions per address; try again later.`)
      }
      guestsByIp.set(address, n + 1) // held while the hourly allowance is asked
      const waitMs = await newGuests.take(address)
      if (waitMs > 0) {
        releaseGuest(address)
        const seconds = Math.ceil(waitMs / 1000)
        throw new ApiError(429, 'too_many_guests', `Too many new guests from this address; try again in ${seconds} s.`, seconds)
      }
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
        await newGuests.refund(address)
      }
      throw err
    }
    const { session, token } = started
    if (guest) guestIp.set(session.id, address)
    let ticket: string
    try {
      ticket = await issueEmbedTicket(request, session, token)
    } catch (err) {
      // Others took the last ticket while the session was being written: it is ended unused
      // (a guest's slot is given back by onEnd, and its hourly allowance here).
      await sessions.end(session.id, 'logout')
      if (guest) await newGuests.refund(address)
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
}

export default fp(embedPlugin, { name: 'embed', dependencies: ['config', 'adapters', 'auth', 'idle-reaper', 'connection-limits'] })
