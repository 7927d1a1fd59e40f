// The one place `error` frames are built: the code's text comes from ERROR_TEXT unless a more
// specific one is given, and optional fields appear only when set.
import type { ErrorFrame } from '../../../schemas/frames.js'
import { ERROR_TEXT, type ErrorCode } from './protocol.js'

export interface ErrorDetails {
  /** The room the refused frame was about. */
  room?: string
  /** When to try again (rate limits); 0 or absent leaves it out. */
  retryInMs?: number
  /** With `room_quota`: the setting whose quota was reached. */
  limit?: string
  /** A text more specific than ERROR_TEXT[code]. */
  message?: string
}

export function errorFrame(code: ErrorCode, details: ErrorDetails = {}): ErrorFrame {
  const frame: ErrorFrame = { type: 'error', code, message: details.message ?? ERROR_TEXT[code] }
  if (details.room !== undefined) frame.room = details.room
  if (details.retryInMs) frame.retryInMs = details.retryInMs
  if (details.limit !== undefined) frame.limit = details.limit
  return frame
}
