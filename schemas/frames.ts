// WebSocket frame schemas shared by the server (validation) and the browser (types only).
import Type, { type Static } from 'typebox'

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
    text: Type.String({ maxLength: 4096, pattern: `^[^${FORBIDDEN_CHARS}]*$` })
  },
  { additionalProperties: false }
)
export type MessageIn = Static<typeof MessageInSchema>

/** Every frame a client may send. */
export const ClientFrameSchema = MessageInSchema
export type ClientFrame = Static<typeof ClientFrameSchema>

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
}

export interface IdleWarningFrame {
  type: 'idle_warning'
  kickInMs: number
}

export type ErrorCode = 'invalid' | 'empty' | 'too_long' | 'rate_limited'

export interface ErrorFrame {
  type: 'error'
  code: ErrorCode
  message: string
  retryInMs?: number
}

/** Every frame the server may send. */
export type ServerFrame = WelcomeFrame | MessageFrame | IdleWarningFrame | ErrorFrame
