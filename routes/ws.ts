// The chat socket's edge: authenticated and origin-checked before the upgrade, then handed to a
// ChatSocket (lib/chat/gateway/chat-socket.ts) with its dependencies taken from the instance. Each
// frame then walks one way: budget, size (ws maxPayload), JSON and schema, its handler (limits,
// text rules, hub); every frame out, whatever its kind, goes through one bounded output.
import type { ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import { ApiError } from '../lib/shared/api-error.js'
import { ApiErrorSchema } from '../schemas/http.js'
import { FirstJoinQuerySchema } from '../schemas/room-frames.js'
import type { JoinFrame } from '../schemas/frames.js'
import { isAllowedOrigin } from '../lib/transport/origin.js'
import { isUpgrade } from '../lib/transport/upgrade.js'
import { createWriteBatch } from '../lib/chat/gateway/bounded-output.js'
import { createFrameHandlers, limitKeyOf } from '../lib/chat/gateway/chat-frames.js'
import { LOBBY } from '../lib/chat/protocol/protocol.js'
import type { SessionRecord } from '../lib/sessions/ports.js'
import { ChatSocket, type ChatSocketDeps } from '../lib/chat/gateway/chat-socket.js'

export { LOBBY }
export { CLOSE_GRACE_MS } from '../lib/chat/gateway/chat-socket.js'
export { onSocketError } from '../lib/chat/gateway/socket-faults.js'

/** The first room a client asks for in the upgrade's query, as the `join` frame it stands for. */
const firstJoinOf = ({ join, since }: { join?: string; since?: string }): JoinFrame | undefined =>
  join === undefined ? undefined : since === undefined ? { type: 'join', room: join } : { type: 'join', room: join, since: Number(since) }

/** A widget session of the site's own people: a guest, or a user the site signed (`name@site-host`). */
const siteOwned = (session: SessionRecord) => session.guest === true || session.username.includes('@')

export default async function wsRoutes(fastify: FastifyInstance) {
  const { config, chatHub: hub, messageLimiter: limiter } = fastify
  const limits = {
    maxChars: config.messageMaxChars,
    ratePerSec: config.messageRatePerSec,
    idleWarnMs: config.idleWarnMs,
    idleKickMs: config.idleKickMs,
    idleActivity: config.idleActivity
  }
  const budgetOptions = {
    framesPerSec: config.frameBudgetPerSec,
    burst: config.frameBudgetBurst,
    refusedPerMin: config.refusedFramesPerMin
  }
  const rooms = fastify.roomHub
  const handlers = createFrameHandlers({
    rooms,
    limiter,
    idle: { touch: fastify.touchSession },
    maxChars: config.messageMaxChars,
    joinLimiter: fastify.roomJoinLimiter,
    createLimiter: fastify.roomCreateLimiter,
    inputIsActivity: config.idleActivity === 'input',
    registry: fastify.roomRegistry
  })
  const alive = new WeakSet<WebSocket>()
  // Frames to one socket in the same turn (a fan-out batch, a reply and a broadcast) leave in one write.
  const writes = createWriteBatch()
  // What the sockets use, from the decorators (domain code never sees the instance).
  const deps: ChatSocketDeps = {
    rooms,
    hub,
    sessions: fastify.sessions,
    tickets: fastify.embedTickets,
    config: {
      maxBufferedBytes: config.maxBufferedBytes,
      wsAuthTimeoutMs: config.wsAuthTimeoutMs,
      idleWarnMs: config.idleWarnMs,
      idleKickMs: config.idleKickMs,
      maxSocketsPerUser: config.maxSocketsPerUser
    },
    handlers,
    budgetOptions,
    limits,
    writes
  }
  const admitted = new WeakMap<FastifyRequest, { found?: { session: SessionRecord; token: string }; response: ServerResponse }>()

  // Runs before the upgrade: a refused client gets a plain HTTP answer and never a socket.
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin
    const widget = config.embedOrigins.length > 0 ? await fastify.embedSession(request) : undefined
    const own = isAllowedOrigin(origin, request.headers.host, config)
    // A host site's page (an EMBED_ORIGINS origin or any other) may not open the socket itself,
    // unless it carries a widget session of that very site for one of the site's own people (a
    // guest or a user it signed, whom it could sign in again anyway). A visitor who logged in to
    // the widget with a Parley account is never driven by the host page's scripts.
    if (!own && !(widget && origin === widget.session.site && siteOwned(widget.session))) {
      throw new ApiError(403, 'forbidden_origin', 'This origin may not open the chat socket.')
    }
    const page = await fastify.currentSession(request)
    const found = page ? { session: page, token: request.session.get('sid') ?? '' } : widget
    // No cookie: the widget iframe (our own origin) may still authenticate with a ticket in the first frame.
    if (!found && !(own && config.embedOrigins.length > 0)) {
      throw new ApiError(401, 'unauthorized', 'Log in before opening the chat socket.')
    }
    if (found && hub.countUser(limitKeyOf(found.session, request.addressKey)) >= config.maxSocketsPerUser) {
      throw new ApiError(429, 'too_many_connections', `At most ${config.maxSocketsPerUser} chat connections per user; close one first.`)
    }
    if (!fastify.claimChatSocket(request)) {
      throw new ApiError(429, 'too_many_connections', `At most ${config.maxSocketsPerIp} chat connections per address; close one first.`)
    }
    admitted.set(request, { found, response: reply.raw })
    // An admitted upgrade: ws writes its 101 to the socket next, then openChat the welcome and the
    // `joined` of the room the query asked for; corked, they leave in one write (one TLS record,
    // one syscall) instead of several.
    // Every way out uncorks: openChat does, and ws refusing the handshake ends the socket.
    if (isUpgrade(request.raw)) request.raw.socket.cork()
  }

  // Replies to the heartbeat's ping: one listener for every socket (`this` is the socket).
  function onPong(this: WebSocket) {
    alive.add(this)
  }

  // One chat connection: listeners first (before any await), then join and welcome.
  const openChat = (socket: WebSocket, request: FastifyRequest) => {
    const { found, response } = admitted.get(request)!
    admitted.delete(request)
    // The upgrade's HTTP objects stay reachable from the socket for its whole life unless let go
    // (~5 KiB each, heap snapshot of 2,000 idle sockets): the TLS socket still points to the
    // upgrade's ServerResponse (and through it the request, its headers, Fastify's Request and
    // Reply), and @fastify/websocket's 'error' listener holds the Request and Reply. The chat
    // socket keeps only the logger; errors go to onSocketError from its listener.
    response.detachSocket(request.raw.socket)
    socket.removeAllListeners('error')
    const chat = new ChatSocket(socket, request.raw.socket, request.log, deps, request.addressKey)
    socket.on('pong', onPong)
    alive.add(socket)
    chat.start(found, firstJoinOf(request.query as { join?: string; since?: string }))
    // Admission's cork: what start() sent is held by the write batch until the end of the turn.
    request.raw.socket.uncork()
  }

  fastify.route({
    method: 'GET',
    url: '/ws',
    preValidation: admit,
    schema: { querystring: FirstJoinQuerySchema, response: { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 426: ApiErrorSchema, 429: ApiErrorSchema } },
    // A plain HTTPS GET (no Upgrade header) gets a clear answer instead of an empty 404.
    handler: async () => {
      throw new ApiError(426, 'upgrade_required', 'Open this URL as a WebSocket (wss://).')
    },
    wsHandler: openChat
  })

  // One heartbeat for all sockets: a socket that missed the last ping is dropped.
  const heartbeat = setInterval(() => {
    for (const socket of fastify.websocketServer.clients) {
      if (!alive.has(socket)) {
        socket.terminate()
        continue
      }
      alive.delete(socket)
      socket.ping()
    }
  }, config.heartbeatMs).unref()
  fastify.addHook('onClose', async () => clearInterval(heartbeat))
}
