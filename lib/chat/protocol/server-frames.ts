// Every frame the server sends, as the bytes of one WebSocket text frame: one typed encoder per
// `type` of the ServerFrame union (schemas/frames.ts), so a frame that drifts from its type does not
// compile. A fan-out encodes once and hands the same Buffer to every recipient. Error frames are
// built by errorFrame() (error-frame.ts) and only encoded here.
import type { IdleWarningFrame, MessageFrame, ServerFrame, WelcomeFrame } from '../../../schemas/frames.js'
import type { HistoryFrame, JoinedFrame, LeftFrame, MembersFrame, OnlineFrame, PresenceFrame, RoomsFrame, TypingFrame } from '../../../schemas/room-frames.js'
import { errorFrame, type ErrorDetails } from './error-frame.js'
import type { ErrorCode } from './protocol.js'

/** The frame of one `type` of the union. */
export type FrameOf<K extends ServerFrame['type']> = Extract<ServerFrame, { type: K }>

// The one serialisation; private, so every caller goes through the encoder of its frame's type.
const bytes = (frame: ServerFrame): Buffer => Buffer.from(JSON.stringify(frame))

/** A message as stored (the history's record): its frame without the type and the room, the log it lives in. */
export type StoredMessage = Omit<MessageFrame, 'type' | 'room'>

/** The `message` frame of a stored record: what live delivery, `joined`, replay and `history` all send. */
export function messageFrame(room: string, record: StoredMessage): MessageFrame {
  const { id, seq, user, text, ts, cid } = record
  return cid === undefined ? { type: 'message', id, room, seq, user, text, ts } : { type: 'message', id, room, seq, user, text, ts, cid }
}

/** A `message` frame (messageFrame() makes it from a stored record). */
export const encodeMessage = (frame: MessageFrame): Buffer => bytes(frame)

export const encodeWelcome = (frame: Omit<WelcomeFrame, 'type'>): Buffer => bytes({ type: 'welcome', ...frame })

export const encodeIdleWarning = (kickInMs: number): Buffer => bytes({ type: 'idle_warning', kickInMs } satisfies IdleWarningFrame)

/** An `error` frame as errorFrame() builds it. */
export const encodeError = (code: ErrorCode, details?: ErrorDetails): Buffer => bytes(errorFrame(code, details))

/** `joined`: the room as at the join, with the messages that fit (catch-up.ts). */
export const encodeJoined = (frame: Omit<JoinedFrame, 'type'>): Buffer => bytes({ type: 'joined', ...frame })

/** `left`: the answer to `leave`, or with `closed` unasked when an operator closed the room. */
export const encodeLeft = (room: string, closed = false): Buffer =>
  bytes(closed ? ({ type: 'left', room, reason: 'closed' } satisfies LeftFrame) : ({ type: 'left', room } satisfies LeftFrame))

export const encodePresence = (room: string, user: string, join: boolean, online: number): Buffer =>
  bytes({ type: 'presence', room, user, event: join ? 'join' : 'leave', online } satisfies PresenceFrame)

export const encodeTyping = (room: string, user: string): Buffer => bytes({ type: 'typing', room, user } satisfies TypingFrame)

export const encodeRooms = (rooms: RoomsFrame['rooms']): Buffer => bytes({ type: 'rooms', rooms } satisfies RoomsFrame)

export const encodeHistory = (room: string, messages: MessageFrame[], more: boolean): Buffer =>
  bytes({ type: 'history', room, messages, more } satisfies HistoryFrame)

/** A large room's count (and that it is large), in place of `presence`. */
export const encodeOnline = (room: string, online: number, large: boolean): Buffer => bytes({ type: 'online', room, online, large } satisfies OnlineFrame)

export const encodeMembers = (frame: Omit<MembersFrame, 'type'>): Buffer => bytes({ type: 'members', ...frame })
