// The room frames of /ws (join, leave, create, rooms, history, typing, activity): limits, then the room hub.
import type { FastifyInstance } from 'fastify'
import type { RoomClient, RoomError } from '../lib/room-hub.js'
import type { ErrorCode, ErrorFrame } from '../schemas/frames.js'
import { HISTORY_PAGE_DEFAULT, type RoomFrame } from '../schemas/room-frames.js'

/** What people see for the room error codes (the server sends it as `message`). */
export const ROOM_ERROR_TEXT = {
  room_full: 'That room is full.',
  no_such_room: 'There is no room of that name.',
  room_exists: 'A room of that name exists already.',
  too_many_rooms: 'No more rooms can be created on this server right now.',
  not_in_room: 'Join that room first.',
  not_stored: 'The message could not be stored; send it again.'
} as const

/** One socket as the room frames need it. */
export interface RoomSocket {
  client: RoomClient
  sessionId: string
  fail(code: ErrorCode, extra?: Partial<ErrorFrame>): void
}

export function createRoomFrameHandler(fastify: FastifyInstance) {
  const { roomHub: hub, roomJoinLimiter: joins, roomCreateLimiter: creates, idleTracker: idle, config } = fastify
  const countsInput = config.idleActivity === 'input'

  // A refused room request changes nothing and says when to try again.
  const limited = (socket: RoomSocket, limiter: typeof joins, room?: string): boolean => {
    const retryInMs = limiter.take(socket.client.user)
    if (retryInMs === 0) return false
    socket.fail('rate_limited', room === undefined ? { retryInMs } : { room, retryInMs })
    return true
  }
  const answer = (socket: RoomSocket, room: string, error: RoomError | undefined) => {
    if (error) socket.fail(error === 'invalid' ? 'invalid' : error, { room })
  }

  return (socket: RoomSocket, frame: RoomFrame): void => {
    const { client } = socket
    switch (frame.type) {
      case 'join':
        if (!limited(socket, joins, frame.room)) answer(socket, frame.room, hub.join(client, frame.room, frame.since))
        return
      case 'leave':
        if (!limited(socket, joins, frame.room)) answer(socket, frame.room, hub.leave(client, frame.room))
        return
      case 'create':
        if (!limited(socket, creates, frame.room)) answer(socket, frame.room, hub.create(client, frame.room, frame.cap))
        return
      case 'rooms':
        if (!limited(socket, joins)) hub.list(client)
        return
      case 'history':
        if (!hub.isMember(client, frame.room)) return socket.fail('not_in_room', { room: frame.room })
        if (!limited(socket, joins, frame.room)) {
          answer(socket, frame.room, hub.history(client, frame.room, frame.before, frame.limit ?? HISTORY_PAGE_DEFAULT))
        }
        return
      case 'typing': {
        const error = hub.typing(client, frame.room)
        if (error) return answer(socket, frame.room, error)
        if (countsInput) idle.touch(socket.sessionId)
        return
      }
      case 'activity':
        // Input seen by the page keeps a reading user connected (IDLE_ACTIVITY=input).
        if (countsInput) idle.touch(socket.sessionId)
        return
    }
  }
}
