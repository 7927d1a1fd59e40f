// The widget's side of the server: the iframe page (framable by EMBED_ORIGINS only) and the three
// ways a widget session starts: a Parley login, a site's signed identity, or a guest.
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ApiError } from '../lib/shared/api-error.js'
import { verifyEmbedToken } from '../lib/embed/embed-token.js'
import { siteRoomNames } from '../plugins/app/embed.js'
import { ApiErrorSchema, EmbedGuestSchema, EmbedIdentitySchema, EmbedLoginSchema, EmbedSessionSchema, EmbedTicketSchema } from '../schemas/http.js'

const TOKEN_TEXT = {
  token_invalid: 'The site identity is not valid (tampered, malformed or signed for another site).',
  token_expired: 'The site identity has expired; reload the page.'
} as const

export default async function embedRoutes(instance: FastifyInstance) {
  const fastify = instance.withTypeProvider<TypeBoxTypeProvider>()
  const { config, sessions } = fastify
  // 6 hex digits: among a few thousand live guests two would draw the same name (and be one
  // user to the rooms, the socket cap and every reader), so a name in use is drawn again.
  const freshGuestName = async (host: string) => {
    for (let i = 0; i < 8; i++) {
      const name = `guest-${randomBytes(3).toString('hex')}@${host}`
      if ((await sessions.list(name)).length === 0) return name
    }
    throw new ApiError(503, 'busy', 'No guest name is free right now; try again.')
  }
  const siteOf = (site: string) => {
    if (!config.embedOrigins.includes(site)) throw new ApiError(403, 'forbidden_site', 'This site may not embed the chat.')
    return site
  }
  const responses = { response: { 200: EmbedSessionSchema, 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 429: ApiErrorSchema, 503: ApiErrorSchema } }

  fastify.post('/api/embed/login', { schema: { body: EmbedLoginSchema, ...responses } }, async (request, reply) => {
    const site = siteOf(request.body.site)
    const username = await fastify.checkLogin(request, request.body.username, request.body.password)
    return { ...(await fastify.startEmbedSession(request, reply, username, site, false)), guest: false }
  })

  fastify.post('/api/embed/identity', { schema: { body: EmbedIdentitySchema, ...responses } }, async (request, reply) => {
    const site = siteOf(request.body.site)
    const secret = config.embedSecrets[site]
    if (!secret) throw new ApiError(403, 'identity_disabled', 'This site has no signed identities configured.')
    const result = verifyEmbedToken(request.body.token, secret)
    if (!result.ok) throw new ApiError(401, result.code, TOKEN_TEXT[result.code])
    // '@' never occurs in a Parley username: a site's user can never pass for an account.
    const username = `${result.user}@${new URL(site).host}`
    return { ...(await fastify.startEmbedSession(request, reply, username, site, false)), guest: false }
  })

  fastify.post('/api/embed/guest', { schema: { body: EmbedGuestSchema, ...responses } }, async (request, reply) => {
    const site = siteOf(request.body.site)
    if (!config.embedGuests.includes(site)) throw new ApiError(403, 'guests_disabled', 'Guests may not chat on this site; log in.')
    const username = await freshGuestName(new URL(site).host)
    return { ...(await fastify.startEmbedSession(request, reply, username, site, true)), guest: true }
  })

  // A fresh ticket for the widget cookie's session (at start-up and on a reconnect). "Not signed in"
  // is an answer, not an error: every visitor's first open asks, and a 401 would be a red console line.
  // Limited per session and per address (429 rate_limited), at most TICKETS_PER_SESSION live per
  // session and MAX_TICKETS in total (503 busy): plugins/app/embed.ts.
  const ticketResponses = { response: { 200: EmbedTicketSchema, 400: ApiErrorSchema, 403: ApiErrorSchema, 429: ApiErrorSchema, 503: ApiErrorSchema } }
  fastify.post('/api/embed/ticket', { schema: { body: EmbedGuestSchema, ...ticketResponses } }, async (request) => {
    const found = await fastify.embedSession(request)
    if (!found || found.session.site !== request.body.site) return { session: null }
    const ticket = await fastify.issueEmbedTicket(request, found.session, found.token)
    const { username, guest } = found.session
    const rooms = siteRoomNames(fastify.config.embedRooms, request.body.site)
    return { session: { username, ticket, guest: Boolean(guest), rooms } }
  })
}
