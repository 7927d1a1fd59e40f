// The room frames' handlers (join, leave, create, rooms, history, members, typing, activity): limits, then the room hub.
import type { FrameContext, FrameHandlers } from './chat-frames.js'
import type { RateLimit } from '../../shared/ports.js'
import type { RoomError, RoomHub } from '../rooms/room-hub.js'
import type { RoomRegistry } from '../rooms/room-registry.js'
import { HISTORY_PAGE_DEFAULT } from '../../../schemas/room-frames.js'

/** A shared limit that could not be checked (its store unreachable): the request is refused, to be tried again after this. */
export const LIMIT_UNKNOWN_RETRY_MS = 1000

export interface RoomFrameDeps {
  rooms: RoomHub
  /** join, leave, rooms, history and members requests per user (ROOM_JOINS_PER_MIN). */
  joinLimiter: RateLimit
  /** create per user (ROOM_CREATES_PER_MIN). */
  createLimiter: RateLimit
  /** Records a session's activity (at `now`, the frame's clock reading). */
  idle: { touch(sessionId: string, now: number): void }
  /** IDLE_ACTIVITY=input: `activity` and `typing` frames count as activity. */
  inputIsActivity: boolean
  /** Names the quota a refused creation passed (ROOMS_PER_USER, ROOMS_PER_IP). */
  registry?: Pick<RoomRegistry, 'over'>
}

type RoomFrameHandlers = Pick<FrameHandlers, 'join' | 'leave' | 'create' | 'rooms' | 'history' | 'members' | 'typing' | 'activity'>

/** Answers a hub refusal as an `error` naming the room. */
export function answer(ctx: FrameContext, room: string, error: RoomError | undefined): void {
  if (error) ctx.refuse(error, undefined, room)
}

export function createRoomFrameHandlers({ rooms, joinLimiter, createLimiter, idle, inputIsActivity, registry }: RoomFrameDeps): RoomFrameHandlers {
  // A room request runs once its rate token is taken; a refused one changes nothing and says when
  // to try again. A local limiter answers at once, a shared one (the rate-limits port) later.
  const allowed = (ctx: FrameContext, limiter: RateLimit, room: string | undefined, run: () => void): void => {
    const settle = (retryInMs: number) => (retryInMs === 0 ? run() : ctx.refuse('rate_limited', retryInMs, room))
    const retryInMs = limiter.take(ctx.limitKey, ctx.now)
    if (typeof retryInMs === 'number') return settle(retryInMs)
    retryInMs.then(settle, () => ctx.refuse('rate_limited', LIMIT_UNKNOWN_RETRY_MS, room))
  }
  return {
    join(frame, ctx) {
      allowed(ctx, joinLimiter, frame.room, () => answer(ctx, frame.room, rooms.join(ctx.client, frame.room, frame.since)))
    },
    leave(frame, ctx) {
      allowed(ctx, joinLimiter, frame.room, () => answer(ctx, frame.room, rooms.leave(ctx.client, frame.room)))
    },
    create(frame, ctx) {
      // Guests create no room: each new guest would be a fresh creator (a site's rooms are EMBED_ROOMS).
      if (ctx.guest) return ctx.refuse('forbidden', undefined, frame.room)
      allowed(ctx, createLimiter, frame.room, () => {
        const error = rooms.create(ctx.client, frame.room, frame.cap, { user: ctx.user, address: ctx.address })
        if (error === 'room_quota') return ctx.refuse(error, undefined, frame.room, registry?.over(ctx.user, ctx.address))
        answer(ctx, frame.room, error)
      })
    },
    rooms(_frame, ctx) {
      allowed(ctx, joinLimiter, undefined, () => rooms.list(ctx.client))
    },
    history(frame, ctx) {
      if (!rooms.isMember(ctx.client, frame.room)) return ctx.refuse('not_in_room', undefined, frame.room)
      allowed(ctx, joinLimiter, frame.room, () =>
        answer(ctx, frame.room, rooms.history(ctx.client, frame.room, frame.before, frame.limit ?? HISTORY_PAGE_DEFAULT))
      )
    },
    members(frame, ctx) {
      if (!rooms.isMember(ctx.client, frame.room)) return ctx.refuse('not_in_room', undefined, frame.room)
      allowed(ctx, joinLimiter, frame.room, () => answer(ctx, frame.room, rooms.members(ctx.client, frame.room, frame.offset ?? 0)))
    },
    typing(frame, ctx) {
      const error = rooms.typing(ctx.client, frame.room, ctx.now)
      if (error) return answer(ctx, frame.room, error)
      if (inputIsActivity) idle.touch(ctx.sessionId, ctx.now)
    },
    activity(_frame, ctx) {
      // Input seen by the page keeps a reading user connected (IDLE_ACTIVITY=input).
      if (inputIsActivity) idle.touch(ctx.sessionId, ctx.now)
    }
  }
}
