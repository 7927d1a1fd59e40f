// Room frames (issue 6): what a client may send about rooms, and what the server answers.
// The server validates against these schemas; the browser imports only the types.
import Type, { type Static } from 'typebox'
import { HISTORY_PAGE, ROOM_NAME_PATTERN } from '../lib/chat/protocol/protocol.js'

/** Room names: 1-32 of lowercase letters, digits and '-'. */
export const RoomNameSchema = Type.String({ pattern: ROOM_NAME_PATTERN.source })
/** A client's own message id, echoed back and used to drop resends. */
export const CidSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })
const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

export const JoinSchema = Type.Object(
  { type: Type.Literal('join'), room: RoomNameSchema, since: Type.Optional(Seq) },
  { additionalProperties: false }
)
/**
 * The upgrade's query, `/ws?join=ROOM&since=N`: the first room, joined as a `join` frame would be
 * but in the same turn as `welcome` (no round trip). Query values are text: `since` is digits.
 * Other parameters are never read (a ticket in the URL opens nothing: docs/security.md).
 */
export const FirstJoinQuerySchema = Type.Object({
  join: Type.Optional(RoomNameSchema),
  since: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,15})$' }))
})
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
export const MembersSchema = Type.Object(
  { type: Type.Literal('members'), room: RoomNameSchema, offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })) },
  { additionalProperties: false }
)

/** The room frames a client may send, by `type` (the `message` frame is in frames.ts). */
export const ROOM_FRAME_SCHEMAS = {
  join: JoinSchema,
  leave: LeaveSchema,
  create: CreateSchema,
  rooms: RoomsSchema,
  history: HistorySchema,
  typing: TypingSchema,
  activity: ActivitySchema,
  members: MembersSchema
} as const
export type RoomFrameType = keyof typeof ROOM_FRAME_SCHEMAS
export type RoomFrame = { [K in RoomFrameType]: Static<(typeof ROOM_FRAME_SCHEMAS)[K]> }[RoomFrameType]

/** A large room's `members` answer holds at most this many names. */
export const MEMBERS_PAGE = 200

/** `history` answers hold at most this many messages; 50 when the client does not say. */
export const HISTORY_PAGE_DEFAULT = HISTORY_PAGE

/** A message as sent live, with `joined`, replayed and in `history` pages. */
export const RoomMessageSchema = Type.Object(
  {
    type: Type.Literal('message'),
    id: Type.String(),
    room: Type.String(),
    seq: Type.Integer({ minimum: 1 }),
    user: Type.String(),
    text: Type.String(),
    ts: Type.Integer(),
    cid: Type.Optional(Type.String())
  },
  { additionalProperties: false }
)
export type RoomMessage = Static<typeof RoomMessageSchema>

const strict = { additionalProperties: false } as const

export const JoinedFrameSchema = Type.Object(
  {
    type: Type.Literal('joined'),
    room: Type.String(),
    cap: Type.Integer({ minimum: 1 }),
    online: Type.Integer({ minimum: 0 }),
    members: Type.Array(Type.String()),
    lastSeq: Type.Integer({ minimum: 0 }),
    messages: Type.Array(RoomMessageSchema),
    large: Type.Optional(Type.Literal(true)),
    reset: Type.Optional(Type.Literal(true))
  },
  strict
)
export type JoinedFrame = Static<typeof JoinedFrameSchema>
/** Answer to `leave`; unasked with `reason: "closed"` when an operator closed the room. */
export const LeftFrameSchema = Type.Object({ type: Type.Literal('left'), room: Type.String(), reason: Type.Optional(Type.Literal('closed')) }, strict)
export type LeftFrame = Static<typeof LeftFrameSchema>
export const PresenceFrameSchema = Type.Object(
  {
    type: Type.Literal('presence'),
    room: Type.String(),
    user: Type.String(),
    event: Type.Union([Type.Literal('join'), Type.Literal('leave')]),
    online: Type.Integer({ minimum: 0 })
  },
  strict
)
export type PresenceFrame = Static<typeof PresenceFrameSchema>
export const TypingFrameSchema = Type.Object({ type: Type.Literal('typing'), room: Type.String(), user: Type.String() }, strict)
export type TypingFrame = Static<typeof TypingFrameSchema>
export const RoomsFrameSchema = Type.Object(
  {
    type: Type.Literal('rooms'),
    rooms: Type.Array(Type.Object({ name: Type.String(), online: Type.Integer({ minimum: 0 }), cap: Type.Integer({ minimum: 1 }) }, strict))
  },
  strict
)
export type RoomsFrame = Static<typeof RoomsFrameSchema>
export const HistoryFrameSchema = Type.Object(
  { type: Type.Literal('history'), room: Type.String(), messages: Type.Array(RoomMessageSchema), more: Type.Boolean() },
  strict
)
export type HistoryFrame = Static<typeof HistoryFrameSchema>
/** A large room's count, in place of `presence` (docs/protocol.md, Large rooms). */
export const OnlineFrameSchema = Type.Object(
  { type: Type.Literal('online'), room: Type.String(), online: Type.Integer({ minimum: 0 }), large: Type.Boolean() },
  strict
)
export type OnlineFrame = Static<typeof OnlineFrameSchema>
/** Answer to `members`: the whole list (`large: false`) or one page of a large room's names. */
export const MembersFrameSchema = Type.Object(
  {
    type: Type.Literal('members'),
    room: Type.String(),
    online: Type.Integer({ minimum: 0 }),
    large: Type.Boolean(),
    offset: Type.Integer({ minimum: 0 }),
    users: Type.Array(Type.String()),
    more: Type.Boolean()
  },
  strict
)
export type MembersFrame = Static<typeof MembersFrameSchema>

/** The room frames the server may send (besides `message` and `error`, in frames.ts). */
export const ROOM_SERVER_FRAME_SCHEMAS = [
  JoinedFrameSchema,
  LeftFrameSchema,
  PresenceFrameSchema,
  TypingFrameSchema,
  RoomsFrameSchema,
  HistoryFrameSchema,
  OnlineFrameSchema,
  MembersFrameSchema
] as const
export type RoomServerFrame = JoinedFrame | LeftFrame | PresenceFrame | TypingFrame | RoomsFrame | HistoryFrame | OnlineFrame | MembersFrame
