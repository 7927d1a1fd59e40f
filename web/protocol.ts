// The frames the page speaks: the server's own shared types (schemas/), imported as types only.
import type { Limits, ServerFrame } from '../schemas/frames.ts'

export type { ClientFrame } from '../schemas/frames.ts'
export type { JoinedFrame, MembersFrame, OnlineFrame, RoomMessage as ChatMessage } from '../schemas/room-frames.ts'

/** `limits.idleActivity` says what the idle reaper counts: with `message`, page input does not. */
export type { Limits, ServerFrame }

export type ErrorFrame = Extract<ServerFrame, { type: 'error' }>
export type RoomInfo = Extract<ServerFrame, { type: 'rooms' }>['rooms'][number]

/** Room names of the rooms protocol (schemas/room-frames.ts RoomNameSchema; a value import would bundle typebox). */
export const ROOM_NAME = /^[a-z0-9-]{1,32}$/
export const LOBBY = 'lobby'
