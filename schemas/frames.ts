// WebSocket frame schemas shared by the server (validation) and the browser (types only).
import Type, { type Static } from 'typebox'
import { CidSchema, ROOM_FRAME_SCHEMAS, RoomNameSchema, type RoomServerFrame } from './room-frames.js'

/** Close codes the server uses on /ws, besides the standard 1001 (going away), 1003 and 1009. */
export const CLOSE_CODES = {
  idle: 4000,
  logout: 4001,
  sessionExpired: 4002
} as const

// C0/C1 controls and bidi overrides/isolates are refused: chat lines are single-line text and
// must not be able to reorder what other people see.
const FORBIDDEN_CHARS = '\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069'

export const MessageInSchema = Type.Object(
  {
    type: Type.Literal('message'),
    text: Type.String({ maxLength: 4096, pattern: `^[^${FORBIDDEN_CHARS}]*$` }),
    room: Type.Optional(RoomNameSchema),
    cid: Type.Optional(CidSchema)
  },
  { additionalProperties: false }
)
export type MessageIn = Static<typeof MessageInSchema>

/** Every frame a client may send, by `type`. */
export const CLIENT_FRAME_SCHEMAS = { message: MessageInSchema, ...ROOM_FRAME_SCHEMAS } as const

/** Every frame a client may send. */
export const ClientFrameSchema = Type.Union(Object.values(CLIENT_FRAME_SCHEMAS))
export type ClientFrameType = keyof typeof CLIENT_FRAME_SCHEMAS
export type ClientFrame = { [K in ClientFrameType]: Static<(typeof CLIENT_FRAME_SCHEMAS)[K]> }[ClientFrameType]

export interface Limits {
  maxChars: number
  ratePerSec: number
  idleWarnMs: number
  idleKickMs: number
}

export interface WelcomeFrame {
  type: 'welcome'
  user: string
  room: string
  limits: Limits
}

export interface MessageFrame {
  type: 'message'
  id: string
  room: string
  user: string
  text: string
  ts: number
  seq: number
  cid?: string
}

export interface IdleWarningFrame {
  type: 'idle_warning'
  kickInMs: number
}

export type ErrorCode =
  | 'invalid'
  | 'empty'
  | 'too_long'
  | 'rate_limited'
  | 'room_full'
  | 'no_such_room'
  | 'room_exists'
  | 'too_many_rooms'
  | 'not_in_room'
  | 'not_stored'

export interface ErrorFrame {
  type: 'error'
  code: ErrorCode
  message: string
  room?: string
  retryInMs?: number
}

/** Every frame the server may send. */
export type ServerFrame = WelcomeFrame | MessageFrame | IdleWarningFrame | ErrorFrame | RoomServerFrame
