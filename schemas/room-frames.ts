// Room frames (issue 6): what a client may send about rooms, and what the server answers.
// The server validates against these schemas; the browser imports only the types.
import Type, { type Static } from 'typebox'

/** Room names: 1-32 of lowercase letters, digits and '-'. */
export const RoomNameSchema = Type.String({ pattern: '^[a-z0-9-]{1,32}$' })
/** A client's own message id, echoed back and used to drop resends. */
export const CidSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })
const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

export const JoinSchema = Type.Object(
  { type: Type.Literal('join'), room: RoomNameSchema, since: Type.Optional(Seq) },
  { additionalProperties: false }
)
export const LeaveSchema = Type.Object({ type: Type.Literal('leave'), room: RoomNameSchema }, { additionalProperties: false })
export const CreateSchema = Type.Object(
  { type: Type.Literal('create'), room: RoomNameSchema, cap: Type.Optional(Type.Integer({ minimum: 2, maximum: 100_000 })) },
  { additionalProperties: false }
)
export const RoomsSchema = Type.Object({ type: Type.Literal('rooms') }, { additionalProperties: false })
export const HistorySchema = Type.Object(
  {
    type: Type.Literal('history'),
    room: RoomNameSchema,
    before: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 }))
  },
  { additionalProperties: false }
)
export const TypingSchema = Type.Object({ type: Type.Literal('typing'), room: RoomNameSchema }, { additionalProperties: false })
export const ActivitySchema = Type.Object({ type: Type.Literal('activity') }, { additionalProperties: false })

/** The room frames a client may send, by `type` (the `message` frame is in frames.ts). */
export const ROOM_FRAME_SCHEMAS = {
  join: JoinSchema,
  leave: LeaveSchema,
  create: CreateSchema,
  rooms: RoomsSchema,
  history: HistorySchema,
  typing: TypingSchema,
  activity: ActivitySchema
} as const
export type RoomFrameType = keyof typeof ROOM_FRAME_SCHEMAS
export type RoomFrame = { [K in RoomFrameType]: Static<(typeof ROOM_FRAME_SCHEMAS)[K]> }[RoomFrameType]

/** `history` answers hold at most this many messages; 50 when the client does not say. */
export const HISTORY_PAGE_DEFAULT = 50

/** A message as sent live, with `joined`, replayed and in `history` pages. */
export interface RoomMessage {
  type: 'message'
  id: string
  room: string
  seq: number
  user: string
  text: string
  ts: number
  cid?: string
}

export interface JoinedFrame {
  type: 'joined'
  room: string
  cap: number
  members: string[]
  lastSeq: number
  messages: RoomMessage[]
  reset?: true
}
export interface LeftFrame {
  type: 'left'
  room: string
}
export interface PresenceFrame {
  type: 'presence'
  room: string
  user: string
  event: 'join' | 'leave'
  online: number
}
export interface TypingFrame {
  type: 'typing'
  room: string
  user: string
}
export interface RoomsFrame {
  type: 'rooms'
  rooms: { name: string; online: number; cap: number }[]
}
export interface HistoryFrame {
  type: 'history'
  room: string
  messages: RoomMessage[]
  more: boolean
}
export type RoomServerFrame = JoinedFrame | LeftFrame | PresenceFrame | TypingFrame | RoomsFrame | HistoryFrame
