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
