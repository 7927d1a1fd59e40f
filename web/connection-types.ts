// The socket as the link sees it (no DOM types, so the link logic is testable in Node).
import type { ClientFrame, ServerFrame } from './protocol.ts'

export interface ConnectionHandlers {
  onFrame(frame: ServerFrame): void
  /**
   * The socket closed (or never opened) without the caller asking for it. `opened` is false when
   * the upgrade itself failed: a browser cannot read the HTTP status of a refused upgrade.
   */
  onClose(code: number, opened: boolean): void
}

export interface Connection {
  /** False when the socket is not open: the frame was not sent. */
  send(frame: ClientFrame): boolean
  /** Closes the socket; onClose is not called. */
  close(): void
}

/** The room a socket asks for in its upgrade (`/ws?join=ROOM&since=N`): joined with the welcome, no round trip. */
export interface FirstJoin {
  room: string
  /** The last seq held: the server replays every later message once (0: the recent history). */
  since: number
}

/** The query that asks for it. */
export const firstJoinQuery = (join: FirstJoin | undefined): string =>
  join ? `?join=${encodeURIComponent(join.room)}${join.since > 0 ? `&since=${join.since}` : ''}` : ''

