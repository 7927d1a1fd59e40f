// The room frames' handlers (join, leave, create, rooms, history, members, typing, activity): limits, then the room hub.
import type { FrameContext, FrameHandlers } from './chat-frames.js'
import type { RateLimiter } from '../../shared/rate-limiter.js'
import type { RoomError, RoomHub } from '../rooms/room-hub.js'
import type { RoomRegistry } from '../rooms/room-registry.js'
import { HISTORY_PAGE_DEFAULT } from '../../../schemas/room-frames.js'

export interface RoomFrameDeps {
  rooms: RoomHub
  /** join, leave, rooms, history and members requests per user (ROOM_JOINS_PER_MIN). */
  joinLimiter: RateLimiter
  /** create per user (ROOM_CREATES_PER_MIN). */
  createLimiter: RateLimiter
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
  // A refused room request changes nothing and says when to try again.
  const limited = (ctx: FrameContext, limiter: RateLimiter, room?: string): boolean => {
    const retryInMs = limiter.take(ctx.limitKey, ctx.now)
    if (retryInMs === 0) return false
    ctx.refuse('rate_limited', retryInMs, room)
    return true
  }
  return {
    join(frame, ctx) {
      if (!limited(ctx, joinLimiter, frame.room)) answer(ctx, frame.room, rooms.join(ctx.client, frame.room, frame.since))
    },
    leave(frame, ctx) {
      if (!limited(ctx, joinLimiter, frame.room)) answer(ctx, frame.room, rooms.leave(ctx.client, frame.room))
    },
    create(frame, ctx) {
      // Guests create no room: each new guest would be a fresh creator (a site's rooms are EMBED_ROOMS).
      if (ctx.guest) return ctx.refuse('forbidden', undefined, frame.room)
      if (limited(ctx, createLimiter, frame.room)) return
      const error = rooms.create(ctx.client, frame.room, frame.cap, { user: ctx.user, address: ctx.address })
      if (error === 'room_quota') return ctx.refuse(error, undefined, frame.room, registry?.over(ctx.user, ctx.address))
      answer(ctx, frame.room, error)
    },
    rooms(_frame, ctx) {
      if (!limited(ctx, joinLimiter)) rooms.list(ctx.client)
    },
    history(frame, ctx) {
      if (!rooms.isMember(ctx.client, frame.room)) return ctx.refuse('not_in_room', undefined, frame.room)
      if (limited(ctx, joinLimiter, frame.room)) return
      answer(ctx, frame.room, rooms.history(ctx.client, frame.room, frame.before, frame.limit ?? HISTORY_PAGE_DEFAULT))
    },
    members(frame, ctx) {
      if (!rooms.isMember(ctx.client, frame.room)) return ctx.refuse('not_in_room', undefined, frame.room)
      if (limited(ctx, joinLimiter, frame.room)) return
      answer(ctx, frame.room, rooms.members(ctx.client, frame.room, frame.offset ?? 0))
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
