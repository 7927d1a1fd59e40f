// WebSocket frame schemas shared by the server (validation) and the browser (types only).
// Codes and texts live in lib/chat/protocol/protocol.ts; text rules (characters, length) in lib/chat/rooms/message-text.ts.
import Type, { type Static } from 'typebox'
import { ERROR_CODES, type ErrorCode } from '../lib/chat/protocol/protocol.js'
import { CidSchema, ROOM_FRAME_SCHEMAS, RoomMessageSchema, ROOM_SERVER_FRAME_SCHEMAS, RoomNameSchema, type RoomServerFrame } from './room-frames.js'

export { type ErrorCode } from '../lib/chat/protocol/protocol.js'

/** No string in a frame can be longer than a frame (MAX_FRAME_BYTES). */
const MAX_STRING = 4096

export const MessageInSchema = Type.Object(
  {
    type: Type.Literal('message'),
    // Only the shape here: which characters a text may hold is judged after the rate limit,
    // by lib/chat/rooms/message-text.ts (trimmed first, so "hi\n" is "hi").
    text: Type.String({ maxLength: MAX_STRING }),
    /** Default `lobby`. */
    room: Type.Optional(RoomNameSchema),
    cid: Type.Optional(CidSchema)
  },
  { additionalProperties: false }
)
export type MessageIn = Static<typeof MessageInSchema>

/** Widget sockets only, as their first frame: the single-use ticket from /api/embed/*. */
export const AuthFrameSchema = Type.Object(
  { type: Type.Literal('auth'), ticket: Type.String({ maxLength: 64 }) },
  { additionalProperties: false }
)

/**
 * Every frame a client may send, by `type`. A new frame type is one entry here and one handler
 * in the dispatch table of routes/ws.ts.
 */
export const CLIENT_FRAME_SCHEMAS = {
  message: MessageInSchema,
  ...ROOM_FRAME_SCHEMAS,
  auth: AuthFrameSchema
} as const

/** Every frame a client may send. */
export const ClientFrameSchema = Type.Union(Object.values(CLIENT_FRAME_SCHEMAS))
export type ClientFrameType = keyof typeof CLIENT_FRAME_SCHEMAS
export type ClientFrame = { [K in ClientFrameType]: Static<(typeof CLIENT_FRAME_SCHEMAS)[K]> }[ClientFrameType]
export type JoinFrame = Extract<ClientFrame, { type: 'join' }>

export const LimitsSchema = Type.Object(
  {
    maxChars: Type.Integer(),
    ratePerSec: Type.Number(),
    idleWarnMs: Type.Integer(),
    idleKickMs: Type.Integer(),
    /** IDLE_ACTIVITY: what keeps a session from the idle reaper (`message`: only sending one). */
    idleActivity: Type.Union([Type.Literal('input'), Type.Literal('message')])
  },
  { additionalProperties: false }
)
export type Limits = Static<typeof LimitsSchema>

export const WelcomeFrameSchema = Type.Object(
  { type: Type.Literal('welcome'), user: Type.String(), room: Type.String(), limits: LimitsSchema },
  { additionalProperties: false }
)
export type WelcomeFrame = Static<typeof WelcomeFrameSchema>

/** A message as sent live, with `joined`, replayed and in `history` pages (room-frames.ts). */
export const MessageFrameSchema = RoomMessageSchema
export type MessageFrame = Static<typeof MessageFrameSchema>

export const IdleWarningFrameSchema = Type.Object(
  { type: Type.Literal('idle_warning'), kickInMs: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false }
)
export type IdleWarningFrame = Static<typeof IdleWarningFrameSchema>

export const ErrorFrameSchema = Type.Object(
  {
    type: Type.Literal('error'),
    code: Type.Union(ERROR_CODES.map((code) => Type.Literal(code))),
    message: Type.String(),
    room: Type.Optional(Type.String()),
    retryInMs: Type.Optional(Type.Integer({ minimum: 1 })),
    /** `room_quota`: the setting whose limit was reached (ROOMS_PER_USER or ROOMS_PER_IP). */
    limit: Type.Optional(Type.String())
  },
  { additionalProperties: false }
)
export interface ErrorFrame {
  type: 'error'
  code: ErrorCode
  message: string
  room?: string
  retryInMs?: number
  limit?: string
}

/** Every frame the server may send (tests check each answer against it). */
export const ServerFrameSchema = Type.Union([
  WelcomeFrameSchema,
  MessageFrameSchema,
  IdleWarningFrameSchema,
  ErrorFrameSchema,
  ...ROOM_SERVER_FRAME_SCHEMAS
])
export type ServerFrame = WelcomeFrame | MessageFrame | IdleWarningFrame | ErrorFrame | RoomServerFrame
