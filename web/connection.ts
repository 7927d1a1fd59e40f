// The chat WebSocket: opens /ws on the page's own origin and hands parsed frames to the caller.
import type { ClientFrame, ServerFrame } from '../schemas/frames.ts'

export interface ConnectionHandlers {
  onFrame(frame: ServerFrame): void
  /** The socket closed (or never opened) without the caller asking for it. */
  onClose(code: number): void
}

export interface Connection {
  /** False when the socket is not open: the frame was not sent. */
  send(frame: ClientFrame): boolean
  /** Closes the socket; onClose is not called. */
  close(): void
}

export function createConnection(handlers: ConnectionHandlers): Connection {
  const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws')
  let closedByUs = false

  ws.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return
    let frame: ServerFrame
    try {
      frame = JSON.parse(event.data) as ServerFrame
    } catch {
      return // the server only sends JSON; ignore anything else rather than crash the page
    }
    handlers.onFrame(frame)
  })
  ws.addEventListener('close', (event) => {
    if (!closedByUs) handlers.onClose(event.code)
  })

  return {
    send(frame) {
      if (ws.readyState !== WebSocket.OPEN) return false
      ws.send(JSON.stringify(frame))
      return true
    },
    close() {
      closedByUs = true
      ws.close(1000)
    }
  }
}
