// Widget sessions: a session of kind 'embed' bound to the embedding site, carried by a
// partitioned cookie where the browser allows one, or by a single-use ticket in the first
// WebSocket frame. Also the per-address cap on anonymous guests.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createTicketStore, type TicketStore } from '../lib/embed-tickets.js'
import type { SessionRecord } from '../lib/session-registry.js'
import { ApiError } from '../lib/api-error.js'
import { browserFamily } from '../lib/browser-family.js'
import type { SiteRoom } from '../lib/config.js'

/** Partitioned (CHIPS): the browser keeps it per top-level site, so it never tracks across sites. */
export const EMBED_COOKIE = '__Host-parley-embed'
/** How long a ticket may wait before its first (and only) use. */
export const TICKET_TTL_MS = 30_000

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
  }
}

async function embedPlugin(fastify: FastifyInstance) {
  const { sessions, config } = fastify
  const tickets = createTicketStore(TICKET_TTL_MS)
  fastify.decorate('embedTickets', tickets)
  // Live guest sessions per client address; a session gives its slot back when it ends.
  const guestsByIp = new Map<string, number>()
  const guestIp = new Map<string, string>()
  sessions.onEnd((session) => {
    const ip = guestIp.get(session.id)
    if (ip === undefined) return
    guestIp.delete(session.id)
    const n = (guestsByIp.get(ip) ?? 1) - 1
    if (n > 0) guestsByIp.set(ip, n)
    else guestsByIp.delete(ip)
  })

  fastify.decorate('embedSession', async (request: FastifyRequest) => {
    const token = request.cookies?.[EMBED_COOKIE]
    if (typeof token !== 'string' || token.length > 64) return undefined
    const session = await sessions.get(token)
    return session?.site ? { session, token } : undefined
  })

  fastify.decorate('startEmbedSession', async (request: FastifyRequest, reply: FastifyReply, username: string, site: string, guest: boolean) => {
    if (guest) {
      const n = guestsByIp.get(request.ip) ?? 0
      if (n >= config.maxGuestsPerIp) {
        throw new ApiError(429, 'too_many_guests', `At most ${config.maxGuestsPerIp} guest sessions per address; try again later.`)
      }
      guestsByIp.set(request.ip, n + 1)
    }
    const previous = await fastify.embedSession(request)
    if (previous) await sessions.end(previous.session.id, 'logout')
    const { session, token } = await sessions.create(username, {
      address: request.ip,
      browser: browserFamily(request.headers['user-agent']),
      site,
      guest
    })
    fastify.touchSession(session.id) // login is the session's first activity
    if (guest) guestIp.set(session.id, request.ip)
    // The bearer token itself (HttpOnly): the registry keeps only its hash.
    reply.setCookie(EMBED_COOKIE, token, {
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'none',
      partitioned: true,
      maxAge: Math.ceil(config.sessionTtlMs / 1000)
    })
    return { username, ticket: tickets.issue(token), rooms: siteRoomNames(config.embedRooms, site) }
  })

  // The iframe page may be framed by EMBED_ORIGINS; every other route keeps helmet's
  // frame-ancestors 'none' and X-Frame-Options. (Set on send: the page is a static file.)
  const policy = widgetPagePolicy(config.embedOrigins)
  fastify.addHook('onSend', async (request, reply) => {
    if (request.url.split('?')[0] !== WIDGET_PAGE) return
    reply.header('content-security-policy', policy)
    reply.removeHeader('x-frame-options')
  })

  const timer = setInterval(() => tickets.prune(), TICKET_TTL_MS).unref()
  fastify.addHook('onClose', async () => clearInterval(timer))
}

export default fp(embedPlugin, { name: 'embed', dependencies: ['config', 'auth', 'idle-reaper'] })
