// The chat socket: authenticated and origin-checked before the upgrade, every frame validated.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import { Compile } from 'typebox/compile'
import { CLIENT_FRAME_SCHEMAS, type ClientFrame, type ErrorCode, type ErrorFrame, type ServerFrame } from '../schemas/frames.js'
import { ApiError } from '../lib/api-error.js'
import { ApiErrorSchema } from '../schemas/http.js'
import { isAllowedOrigin } from '../lib/origin.js'
import { prepareText } from '../lib/message-text.js'
import type { ChatClient } from '../lib/chat-hub.js'
import type { SessionRecord } from '../lib/session-registry.js'
import { LOBBY } from '../lib/room-hub.js'
import { createRoomFrameHandler, ROOM_ERROR_TEXT } from './ws-rooms.js'

export { LOBBY }
/** A client that lets this much pile up unread is too slow to keep: it is dropped. */
export const MAX_BUFFERED_BYTES = 1 << 20
/**
 * Live lobby messages wait this long after connecting for the client's first frame, so a
 * reconnecting client's `join lobby since` replays in seq order; a silent client gets them then.
 */
export const LOBBY_HOLD_MS = 1000

// One compiled check per frame type: a frame is judged only against the schema its type names.
const FRAME_CHECKS = new Map(Object.entries(CLIENT_FRAME_SCHEMAS).map(([type, schema]) => [type, Compile(schema)]))
const frameType = (frame: unknown) =>
  typeof frame === 'object' && frame !== null && typeof (frame as { type?: unknown }).type === 'string'
    ? (frame as { type: string }).type
    : undefined

const ERROR_MESSAGES: Record<ErrorCode, string> = {
  invalid: 'Frames are JSON objects like {"type":"message","text":"..."}.',
  empty: 'The message is empty.',
  too_long: 'The message is too long.',
  rate_limited: 'You are sending messages too fast.',
  ...ROOM_ERROR_TEXT
}

declare module 'fastify' {
  interface FastifyRequest {
    chatSession?: SessionRecord
  }
}

export default async function wsRoutes(fastify: FastifyInstance) {
  const { config, chatHub: hub, messageLimiter: limiter, idleTracker: idle, roomHub: rooms } = fastify
  const onRoomFrame = createRoomFrameHandler(fastify)
  const limits = {
    maxChars: config.messageMaxChars,
    ratePerSec: config.messageRatePerSec,
    idleWarnMs: config.idleWarnMs,
    idleKickMs: config.idleKickMs
  }
  const alive = new WeakSet<WebSocket>()

  // Runs before the upgrade: a refused client gets a plain HTTP answer and never a socket.
  const admit = async (request: FastifyRequest) => {
    if (!isAllowedOrigin(request.headers.origin, request.headers.host, config.allowedOrigins)) {
      throw new ApiError(403, 'forbidden_origin', 'This origin may not open the chat socket.')
    }
    const session = await fastify.currentSession(request)
    if (!session) throw new ApiError(401, 'unauthorized', 'Log in before opening the chat socket.')
    if (hub.countUser(session.username) >= config.maxSocketsPerUser) {
      throw new ApiError(429, 'too_many_connections', `At most ${config.maxSocketsPerUser} chat connections per user; close one first.`)
    }
    request.chatSession = session
  }

  // One chat connection: listeners first (before any await), then join and welcome.
  const openChat = (socket: WebSocket, request: FastifyRequest) => {
    const session = request.chatSession!
    const client: ChatClient = {
      user: session.username,
      sessionId: session.id,
      room: LOBBY,
      send: (data) => (socket.bufferedAmount > MAX_BUFFERED_BYTES ? socket.terminate() : socket.send(data)),
      close: (code, reason) => socket.close(code, reason)
    }
    const send = (frame: ServerFrame) => socket.send(JSON.stringify(frame))
    const fail = (code: ErrorCode, extra?: Partial<ErrorFrame>) =>
      send({ type: 'error', code, message: ERROR_MESSAGES[code], ...extra })

    let holding: NodeJS.Timeout | undefined
    const release = () => {
      clearTimeout(holding)
      holding = undefined
      rooms.release(client)
    }
    const onMessage = async (data: Buffer, isBinary: boolean) => {
      if (isBinary) return socket.close(1003, 'binary')
      let frame: unknown
      try {
        frame = JSON.parse(data.toString('utf8'))
      } catch {
        return fail('invalid')
      }
      const type = frameType(frame)
      // Resuming clients send their joins first (a lobby join releases it in the hub, after its
      // replay); any other frame ends the hold.
      if (holding && type !== 'join') release()
      const check = FRAME_CHECKS.get(type ?? '')
      if (!check || !check.Check(frame)) return fail('invalid')
      const valid = frame as ClientFrame
      if (valid.type !== 'message') return onRoomFrame(roomSocket, valid)
      // A client that never names a room talks in the lobby, as before rooms existed.
      const room = valid.room ?? LOBBY
      if (!rooms.isMember(client, room)) return fail('not_in_room', { room })
      const prepared = prepareText(valid.text, config.messageMaxChars)
      if (!prepared.ok) return fail(prepared.code, { room })
      const retryInMs = limiter.take(session.username)
      if (retryInMs > 0) return fail('rate_limited', { room, retryInMs })
      idle.touch(session.id)
      // Broadcast (to the sender too) once durable; an error here is the hub's own refusal.
      const error = rooms.post(client, room, prepared.text, valid.cid)
      if (error) fail(error === 'invalid' ? 'invalid' : error, { room })
    }
    const roomSocket = { client, sessionId: session.id, fail }

    // Listeners go on before any await, so no early frame is missed.
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      onMessage(data, isBinary).catch((err) => {
        request.log.error({ err }, 'chat frame failed')
        socket.close(1011, 'internal')
      })
    })
    socket.on('pong', () => alive.add(socket))
    socket.on('close', () => {
      clearTimeout(holding)
      rooms.disconnect(client)
      if (hub.leave(client) === 0) idle.remove(session.id)
    })

    alive.add(socket)
    hub.join(client)
    idle.touch(session.id)
    send({ type: 'welcome', user: session.username, room: client.room, limits })
    // Every socket starts in the lobby (a full lobby says so, and the socket can join other rooms).
    const lobbyError = rooms.join(client, LOBBY, undefined, true)
    if (lobbyError) fail(lobbyError === 'invalid' ? 'invalid' : lobbyError, { room: LOBBY })
    else holding = setTimeout(release, LOBBY_HOLD_MS)
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
