// The chat socket: authenticated and origin-checked before the upgrade. Each frame then walks
// one way: budget, size (ws maxPayload), JSON and schema, its handler (limits, text rules, hub);
// every frame out, whatever its kind, goes through one bounded output.
import type { ServerResponse } from 'node:http'
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import type { ErrorFrame, ServerFrame } from '../schemas/frames.js'
import { ApiError } from '../lib/api-error.js'
import { ApiErrorSchema } from '../schemas/http.js'
import { isAllowedOrigin } from '../lib/origin.js'
import { encodeFrame, type ChatClient } from '../lib/chat-hub.js'
import { createBoundedOutput, createWriteBatch } from '../lib/bounded-output.js'
import { textFrame } from '../lib/text-frame.js'
import { createFrameBudget } from '../lib/frame-budget.js'
import { createFrameHandlers, dispatchFrame, parseClientFrame, type FrameContext } from '../lib/chat-frames.js'
import type { ClientFrame } from '../schemas/frames.js'
import { LOBBY } from '../lib/room-hub.js'
import { CLOSE, ERROR_TEXT, type CloseName, type ErrorCode } from '../lib/protocol.js'
import type { SessionRecord } from '../lib/session-registry.js'

export { LOBBY }
/**
 * Live lobby messages wait this long after connecting for the client's first frame that is not
 * a `join`, so a reconnecting client's `join lobby since` replays in seq order; a silent client
 * gets them then.
 */
export const LOBBY_HOLD_MS = 250
/** After closing a socket for a fault (1003, 1008), it is no longer read, and dropped after this. */
export const CLOSE_GRACE_MS = 250

/** Client faults, counted per socket and logged in one line when it closes. */
type Fault = ErrorCode | 'over_budget' | 'binary' | 'too_big' | 'invalid_utf8' | 'protocol' | 'network' | 'slow_reader'

/** The close code ws sends for each of a client's protocol errors. */
const WS_CLOSE_FOR: Partial<Record<Fault, number>> = {
  too_big: CLOSE.tooBig.code,
  invalid_utf8: CLOSE.invalidUtf8.code,
  protocol: CLOSE.protocolError.code
}

/** What a socket 'error' event was: ws reports a client's protocol errors with WS_ERR_* codes. */
function faultOf(err: Error & { code?: string }): Fault {
  switch (err.code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return 'too_big'
    case 'WS_ERR_INVALID_UTF8':
      return 'invalid_utf8'
    default:
      return err.code?.startsWith('WS_ERR_') ? 'protocol' : 'network'
  }
}

/** A widget session of the site's own people: a guest, or a user the site signed (`name@site-host`). */
const siteOwned = (session: SessionRecord) => session.guest === true || session.username.includes('@')

const isClientError = (err: Error & { code?: string; syscall?: string }) =>
  Boolean(err.code?.startsWith('WS_ERR_') || err.syscall || err.code === 'ECONNRESET' || err.code === 'EPIPE')

/**
 * @fastify/websocket's error hook. A client's protocol error (oversize, bad UTF-8...) is already
 * being answered by ws with its close code (1009, 1007, 1002) and is logged once by the route:
 * terminating here would race that close frame (clients saw 1006). Anything else is ours.
 */
export function onSocketError(err: Error, socket: WebSocket, request: { log: FastifyBaseLogger }) {
  if (isClientError(err)) return
  request.log.error({ err }, 'chat socket failed')
  if (socket.readyState === socket.OPEN) socket.close(CLOSE.internal.code, CLOSE.internal.reason)
  else socket.terminate()
}

export default async function wsRoutes(fastify: FastifyInstance) {
  const { config, chatHub: hub, messageLimiter: limiter } = fastify
  const limits = {
    maxChars: config.messageMaxChars,
    ratePerSec: config.messageRatePerSec,
    idleWarnMs: config.idleWarnMs,
    idleKickMs: config.idleKickMs
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
    inputIsActivity: config.idleActivity === 'input'
  })
  const alive = new WeakSet<WebSocket>()
  // Frames to one socket in the same turn (a fan-out batch, a reply and a broadcast) leave in one write.
  const writes = createWriteBatch()
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
    if (found && hub.countUser(found.session.username) >= config.maxSocketsPerUser) {
      throw new ApiError(429, 'too_many_connections', `At most ${config.maxSocketsPerUser} chat connections per user; close one first.`)
    }
    if (!fastify.claimChatSocket(request)) {
      throw new ApiError(429, 'too_many_connections', `At most ${config.maxSocketsPerIp} chat connections per address; close one first.`)
    }
    admitted.set(request, { found, response: reply.raw })
  }

  // One chat connection: listeners first (before any await), then join and welcome.
  const openChat = (socket: WebSocket, request: FastifyRequest) => {
    const { found, response } = admitted.get(request)!
    admitted.delete(request)
    const log = request.log
    // The upgrade's HTTP objects stay reachable from the socket for its whole life unless let go
    // (~5 KiB each, heap snapshot of 2,000 idle sockets): the TLS socket still points to the
    // upgrade's ServerResponse (and through it the request, its headers, Fastify's Request and
    // Reply), and @fastify/websocket's 'error' listener holds the Request and Reply. This
    // function's closures keep only the logger; errors go to onSocketError from the listener below.
    response.detachSocket(request.raw.socket)
    socket.removeAllListeners('error')
    const budget = createFrameBudget(budgetOptions)
    const faults: Partial<Record<Fault, number>> = {}
    let closedFor: CloseName | undefined
    // The code this server sent, for the log (the 'close' event shows what came back).
    let sentCode: number | undefined
    const note = (fault: Fault) => {
      faults[fault] = (faults[fault] ?? 0) + 1
    }

    // The TLS socket under ws. Frames are written to it whole (built once per fan-out, see
    // lib/text-frame.ts); corking it keeps ws's own writes (pongs, close frames) in order with ours.
    const raw = request.raw.socket
    const output = createBoundedOutput(
      {
        get bufferedAmount() {
          return socket.bufferedAmount
        },
        get open() {
          return socket.readyState === socket.OPEN
        },
        write: (data) => raw.write(textFrame(data)),
        drop: () => {
          note('slow_reader')
          socket.terminate()
        },
        cork: () => raw.cork(),
        uncork: () => raw.uncork()
      },
      config.maxBufferedBytes,
      writes
    )
    const send = (frame: ServerFrame) => output.send(encodeFrame(frame))

    // A socket closed for its own fault is no longer read: a flood stops costing anything.
    const closeFor = (name: 'binary' | 'policy' | 'authRequired' | 'ticketInvalid') => {
      closedFor = name
      sentCode = CLOSE[name].code
      socket.close(CLOSE[name].code, CLOSE[name].reason)
      socket.pause()
      const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS)
      socket.once('close', () => clearTimeout(timer))
    }
    const refuse = (code: ErrorCode, retryInMs?: number, fault: Fault = code, room?: string) => {
      note(fault)
      if (budget.refuse(Date.now())) return closeFor('policy')
      const frame: ErrorFrame = { type: 'error', code, message: ERROR_TEXT[code] }
      if (room !== undefined) frame.room = room
      if (retryInMs) frame.retryInMs = retryInMs
      send(frame)
    }
    const fail = (err: unknown) => {
      log.error({ err }, 'chat frame failed')
      closedFor = 'internal'
      sentCode = CLOSE.internal.code
      socket.close(CLOSE.internal.code, CLOSE.internal.reason)
    }

    let client: ChatClient | undefined
    let ctx: FrameContext | undefined
    let holding: NodeJS.Timeout | undefined
    const release = () => {
      clearTimeout(holding)
      holding = undefined
      if (client) rooms.release(client)
    }
    const begin = ({ session, token }: { session: SessionRecord; token: string }) => {
      const joined: ChatClient = {
        user: session.username,
        sessionId: session.id,
        room: LOBBY,
        send: output.send,
        close: (code, reason) => socket.close(code, reason)
      }
      const context: FrameContext = {
        user: joined.user,
        sessionId: joined.sessionId,
        client: joined,
        refuse: (code, retryInMs, room) => refuse(code, retryInMs, code, room),
        fail
      }
      client = joined
      ctx = context
      // Connecting is not activity: reconnecting over and over must not keep a session alive.
      hub.join(joined)
      send({ type: 'welcome', user: session.username, room: joined.room, limits })
      // A socket joining a session that is already past the warning learns its deadline too.
      const last = fastify.idleTracker.lastActivity(session.id)
      const idleFor = last === undefined ? 0 : Date.now() - last
      if (idleFor >= config.idleWarnMs) send({ type: 'idle_warning', kickInMs: Math.max(0, config.idleKickMs - idleFor) })
      // Every socket starts in the lobby (a full lobby says so; the socket can join other rooms).
      const lobbyError = rooms.join(joined, LOBBY, undefined, true)
      if (lobbyError) context.refuse(lobbyError, undefined, LOBBY)
      else holding = setTimeout(release, LOBBY_HOLD_MS)
      // The session may have ended between the admission check and the join (which closing missed).
      fastify.sessions
        .get(token)
        .then((live) => live || joined.close(CLOSE.logout.code, CLOSE.logout.reason))
        .catch((err) => log.error({ err }, 'session re-check failed'))
    }

    // A widget socket without a cookie: its first frame must be `auth` with a live ticket, in time.
    let authTimer: NodeJS.Timeout | undefined
    const authenticate = (frame: ClientFrame | undefined) => {
      clearTimeout(authTimer)
      if (frame?.type !== 'auth') return closeFor('authRequired')
      const token = fastify.embedTickets.redeem(frame.ticket)
      socket.pause() // nothing else is read until the ticket is settled
      void (async () => {
        const session = token === undefined ? undefined : await fastify.sessions.get(token)
        if (socket.readyState !== socket.OPEN) return
        if (!session?.site || token === undefined) return closeFor('ticketInvalid')
        if (hub.countUser(session.username) >= config.maxSocketsPerUser) return closeFor('policy')
        begin({ session, token })
        socket.resume()
      })().catch(fail)
    }

    const onMessage = (data: Buffer, isBinary: boolean) => {
      if (socket.readyState !== socket.OPEN) return
      // The budget comes first, before the frame is looked at: refused frames spend it too.
      const waitMs = budget.spend(Date.now())
      if (isBinary) {
        note('binary')
        return closeFor('binary')
      }
      if (waitMs > 0) return refuse('rate_limited', waitMs, 'over_budget')
      // Size: ws has refused anything over MAX_FRAME_BYTES (1009) before it gets here.
      const frame = parseClientFrame(data)
      if (!ctx) return authenticate(frame)
      // Resuming clients send their joins first (a lobby join ends the hold in the hub, after its
      // replay); any other frame ends it here.
      if (holding && frame?.type !== 'join') release()
      if (!frame) return refuse('invalid')
      dispatchFrame(handlers, frame, ctx)
    }

    // Listeners go on before any await, so no early frame is missed.
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      try {
        onMessage(data, isBinary)
      } catch (err) {
        fail(err)
      }
    })
    socket.on('error', (err) => {
      const fault = faultOf(err)
      note(fault)
      sentCode ??= WS_CLOSE_FOR[fault]
      onSocketError(err, socket, { log })
    })
    socket.on('pong', () => alive.add(socket))
    socket.on('close', (code: number) => {
      clearTimeout(holding)
      clearTimeout(authTimer)
      // The session's idle clock keeps running without sockets: the reaper ends it in time.
      if (client) {
        rooms.disconnect(client)
        hub.leave(client)
      }
      // Client faults make one line per socket, whatever their number, and never a stack.
      if (Object.keys(faults).length > 0) {
        const entry = { user: client?.user, faults, closeCode: sentCode ?? code }
        if (closedFor === 'policy' || closedFor === 'binary' || output.dropped || sentCode !== undefined) {
          log.warn(entry, 'chat socket closed for client faults')
        } else log.info(entry, 'chat client faults')
      }
    })

    alive.add(socket)
    if (found) begin(found)
    else authTimer = setTimeout(() => closeFor('authRequired'), config.wsAuthTimeoutMs)
  }

  fastify.route({
    method: 'GET',
    url: '/ws',
    preValidation: admit,
    schema: { response: { 401: ApiErrorSchema, 403: ApiErrorSchema, 426: ApiErrorSchema, 429: ApiErrorSchema } },
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
