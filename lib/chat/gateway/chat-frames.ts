// What each client frame does, by type: a dispatch table over plain values (hub, limiter, idle
// tracker). A new frame type is a schema in schemas/frames.ts plus a handler here.
import { Compile } from 'typebox/compile'
import { CLIENT_FRAME_SCHEMAS, type ClientFrame, type ClientFrameType, type MessageIn } from '../../../schemas/frames.js'
import { createRoomFrameHandlers, answer, LIMIT_UNKNOWN_RETRY_MS, type RoomFrameDeps } from './room-frame-handlers.js'
import type { RoomClient } from '../rooms/room-hub.js'
import { LOBBY } from '../protocol/protocol.js'
import { prepareText } from '../rooms/message-text.js'
import type { ErrorCode } from '../protocol/protocol.js'
import type { RateLimit } from '../../shared/ports.js'

/**
 * The key every per-user limit counts a socket's user under (message rate, room joins and creates,
 * sockets per user): the username; for an anonymous guest `guest|SITE|ADDRESS` (ADDRESS the
 * addressKey), since a guest is a new name for the asking: cycling guests shares one allowance.
 * No username holds `|`, so no key of a guest can be a user's.
 */
export function limitKeyOf(session: { username: string; site?: string | undefined; guest?: boolean | undefined }, address: string): string {
  return session.guest === true ? `guest|${session.site ?? ''}|${address}` : session.username
}

/** One socket, as a frame handler sees it. */
export interface FrameContext {
  readonly user: string
  readonly sessionId: string
  /** What per-user limits count under: limitKeyOf(session, address), fixed when the socket began. */
  readonly limitKey: string
  /** The client's address as every per-address limit counts it (addressKey: IPv6 by its /64). */
  readonly address: string
  /** Widget sessions: the embedding site's origin; and whether the user is an anonymous guest. */
  readonly site: string | undefined
  readonly guest: boolean
  /** The socket as the room hub knows it. */
  readonly client: RoomClient
  /** The clock, read once when the frame arrived (ms since the epoch): every limit and stamp of the frame uses it. */
  readonly now: number
  /**
   * Answers `error` with this code (naming the room it was about, and for `room_quota` the limit's
   * setting): the frame changed nothing (and counts against the socket).
   */
  refuse(code: ErrorCode, retryInMs?: number, room?: string, limit?: string): void
  /** Handling failed on the server (the socket is closed with 1011). */
  fail(err: unknown): void
}

export type FrameHandlers = {
  [K in ClientFrameType]: (frame: Extract<ClientFrame, { type: K }>, ctx: FrameContext) => void
}

// One compiled check per type: a frame is checked against its own type's schema only.
const validators = new Map<string, { Check(value: unknown): boolean }>(
  Object.entries(CLIENT_FRAME_SCHEMAS).map(([type, schema]) => [type, Compile(schema)])
)

/** Parses one text frame: the frame, or undefined when it is not JSON of a known type and shape. */
export function parseClientFrame(data: Buffer | string): ClientFrame | undefined {
  let value: unknown
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const type = (value as { type?: unknown }).type
  // A Map, not an object lookup: "__proto__" or "constructor" as a type finds nothing.
  const check = typeof type === 'string' ? validators.get(type) : undefined
  return check?.Check(value) ? (value as ClientFrame) : undefined
}

export interface FrameDeps extends RoomFrameDeps {
  /** Messages per user (per limit key), over all their sockets. */
  limiter: RateLimit
  maxChars: number
}

/**
 * The handlers: cheap checks first (membership, limits: at once from a local limiter, after its
 * promise from a shared one), text rules (the costly part) last, then the room hub. A refused
 * message still spends its rate token, so costly text work stays at the message rate.
 */
export function createFrameHandlers(deps: FrameDeps): FrameHandlers {
  const { rooms, limiter, idle, maxChars } = deps
  // The message once its rate token is settled.
  function post(frame: MessageIn, ctx: FrameContext, room: string, retryInMs: number) {
    if (retryInMs > 0) return ctx.refuse('rate_limited', retryInMs, room)
    const prepared = prepareText(frame.text, maxChars)
    if (!prepared.ok) return ctx.refuse(prepared.code, undefined, room)
    idle.touch(ctx.sessionId, ctx.now)
    // Broadcast (to the sender too) once durable in the history.
    answer(ctx, room, rooms.post(ctx.client, room, prepared.text, frame.cid, ctx.now))
  }
  return {
    message(frame, ctx) {
      // A client that never names a room talks in the lobby, as before rooms existed.
      const room = frame.room ?? LOBBY
      if (!rooms.isMember(ctx.client, room)) return ctx.refuse('not_in_room', undefined, room)
      // A local limiter answers a number (no closure, no promise per message); a shared one a promise.
      const retryInMs = limiter.take(ctx.limitKey, ctx.now)
      if (typeof retryInMs === 'number') return post(frame, ctx, room, retryInMs)
      retryInMs.then(
        (wait) => post(frame, ctx, room, wait),
        () => ctx.refuse('rate_limited', LIMIT_UNKNOWN_RETRY_MS, room)
      )
    },
    ...createRoomFrameHandlers(deps),
    // Only meaningful as a widget socket's first frame (routes/ws.ts). A socket the widget cookie
    // already signed in sends one too: ignored (it spent the frame budget like any frame).
    auth() {}
  }
}

/** Calls the frame's handler. */
export function dispatchFrame(handlers: FrameHandlers, frame: ClientFrame, ctx: FrameContext): void {
  ;(handlers[frame.type] as (frame: ClientFrame, ctx: FrameContext) => void)(frame, ctx)
}
