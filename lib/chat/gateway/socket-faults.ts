// A chat socket's faults: what a client did wrong (counted per socket, logged once when it closes),
// how ws reports its protocol errors, and the error hook that tells them from the server's own.
import type { WebSocket } from 'ws'
import { CLOSE, type ErrorCode } from '../protocol/protocol.js'

/** The log a chat socket writes to: the fields first, then the message (pino's shape, so any such logger fits). */
export interface ChatLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

/** Client faults, counted per socket and logged in one line when it closes. */
export type Fault = ErrorCode | 'over_budget' | 'binary' | 'too_big' | 'invalid_utf8' | 'protocol' | 'network' | 'slow_reader'

/** The close code ws sends for each of a client's protocol errors. */
export const WS_CLOSE_FOR: Partial<Record<Fault, number>> = {
  too_big: CLOSE.tooBig.code,
  invalid_utf8: CLOSE.invalidUtf8.code,
  protocol: CLOSE.protocolError.code
}

/** What a socket 'error' event was: ws reports a client's protocol errors with WS_ERR_* codes. */
export function faultOf(err: Error & { code?: string }): Fault {
  switch (err.code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return 'too_big'
    case 'WS_ERR_INVALID_UTF8':
      return 'invalid_utf8'
    default:
      return err.code?.startsWith('WS_ERR_') ? 'protocol' : 'network'
  }
}

const isClientError = (err: Error & { code?: string; syscall?: string }) =>
  Boolean(err.code?.startsWith('WS_ERR_') || err.syscall || err.code === 'ECONNRESET' || err.code === 'EPIPE')

/**
 * The socket's error hook (@fastify/websocket's errorHandler too). A client's protocol error
 * (oversize, bad UTF-8...) is already being answered by ws with its close code (1009, 1007, 1002)
 * and is logged once by the socket: terminating here would race that close frame (clients saw
 * 1006). Anything else is ours.
 */
export function onSocketError(err: Error, socket: WebSocket, request: { log: ChatLogger }) {
  if (isClientError(err)) return
  request.log.error({ err }, 'chat socket failed')
  if (socket.readyState === socket.OPEN) socket.close(CLOSE.internal.code, CLOSE.internal.reason)
  else socket.terminate()
}
