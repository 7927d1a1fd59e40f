// The chat protocol's codes and texts, one source for the server and the page (no TypeBox here,
// so the page can import values without bundling a schema library). See docs/protocol.md.

/** The room every socket joins first; it always exists and cannot be created, capped or closed. */
export const LOBBY = 'lobby'
/** Room names: lower-case letters, digits and hyphens, 1 to 32 of them (schemas take its `.source`). */
export const ROOM_NAME_PATTERN = /^[a-z0-9-]{1,32}$/
/** Messages sent with `joined` (and the most a `history` page holds is set by the caller). */
export const JOIN_HISTORY = 50
/** Messages per `history` page: what the page asks for, and the server's answer when a request names no limit. */
export const HISTORY_PAGE = 50
/** A user's `typing` frames in a room are passed on at most this often (the page sends no more often either). */
export const TYPING_INTERVAL_MS = 2000

/** Every close code the server sends on /ws, with the reason text it sends along. */
export const CLOSE = {
  /** The server is shutting down. */
  shutdown: { code: 1001, reason: 'shutdown' },
  /** A frame broke the WebSocket protocol (sent by the ws library). */
  protocolError: { code: 1002, reason: '' },
  /** A binary frame: only JSON text frames are accepted. */
  binary: { code: 1003, reason: 'binary' },
  /** A text frame that is not valid UTF-8 (sent by the ws library). */
  invalidUtf8: { code: 1007, reason: '' },
  /** Too many refused frames (REFUSED_FRAMES_PER_MIN). */
  policy: { code: 1008, reason: 'too_many_refused_frames' },
  /** A frame over MAX_FRAME_BYTES (sent by the ws library). */
  tooBig: { code: 1009, reason: '' },
  /** Handling a frame failed on the server. */
  internal: { code: 1011, reason: 'internal' },
  idle: { code: 4000, reason: 'idle' },
  logout: { code: 4001, reason: 'logout' },
  sessionExpired: { code: 4002, reason: 'session_expired' },
  /** Widget sockets: no `auth` frame in time (WS_AUTH_TIMEOUT_MS), or another frame first. */
  authRequired: { code: 1008, reason: 'auth_required' },
  /** Widget sockets: the ticket was already used, expired or unknown. */
  ticketInvalid: { code: 4003, reason: 'ticket_invalid' }
} as const

export type CloseName = keyof typeof CLOSE

/** Every `code` of an `error` frame, with the text people see (the server sends it as `message`). */
export const ERROR_TEXT = {
  invalid: 'That could not be sent: it is not a valid frame, or it has characters that are not allowed.',
  empty: 'Type something before sending.',
  too_long: 'That message is too long.',
  rate_limited: 'You are sending too fast; wait a moment.',
  room_full: 'That room is full.',
  no_such_room: 'There is no room of that name.',
  room_exists: 'A room of that name exists already.',
  too_many_rooms: 'No more rooms can be created on this server right now.',
  room_quota: 'You have created as many rooms as allowed; wait until one of them is gone.',
  forbidden: 'Guests cannot do that; log in.',
  not_in_room: 'Join that room first.',
  not_stored: 'The message could not be stored; send it again.'
} as const

export type ErrorCode = keyof typeof ERROR_TEXT

export const ERROR_CODES = Object.keys(ERROR_TEXT) as ErrorCode[]
