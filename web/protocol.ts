// The frames the page speaks: the server's own shared types (schemas/), imported as types only.
import type { Limits, ServerFrame } from '../schemas/frames.ts'

export type { ClientFrame } from '../schemas/frames.ts'
export type { JoinedFrame, MembersFrame, OnlineFrame, RoomMessage as ChatMessage } from '../schemas/room-frames.ts'

/** `limits.idleActivity` says what the idle reaper counts: with `message`, page input does not. */
export type { Limits, ServerFrame }

export type ErrorFrame = Extract<ServerFrame, { type: 'error' }>
export type RoomInfo = Extract<ServerFrame, { type: 'rooms' }>['rooms'][number]

// The room-name rule and the lobby's name: the server's own (lib/chat/protocol/protocol.ts has no TypeBox to bundle).
export { LOBBY, ROOM_NAME_PATTERN as ROOM_NAME } from '../lib/chat/protocol/protocol.ts'
