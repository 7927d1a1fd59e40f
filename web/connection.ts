// The chat WebSocket: opens /ws on the page's own origin and hands parsed frames to the caller.
import { firstJoinQuery, type Connection, type ConnectionHandlers, type FirstJoin } from './connection-types.ts'
import type { ClientFrame, ServerFrame } from './protocol.ts'

export type { Connection, ConnectionHandlers, FirstJoin }

/**
 * `join`: the room the upgrade asks for (joined with the welcome); `hello`: a first frame sent as
 * soon as the socket opens (the widget's ticket `auth`).
 */
export function createConnection(handlers: ConnectionHandlers, join?: FirstJoin, hello?: ClientFrame): Connection {
  const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws' + firstJoinQuery(join))
  let closedByUs = false
  let opened = false

  ws.addEventListener('open', () => {
    opened = true
    if (hello) ws.send(JSON.stringify(hello))
  })
  ws.addEventListener('message', (event) => {
    if (closedByUs || typeof event.data !== 'string') return
    let frame: ServerFrame
    try {
      frame = JSON.parse(event.data) as ServerFrame
    } catch {
      return // the server only sends JSON; ignore anything else rather than crash the page
    }
    handlers.onFrame(frame)
  })
  ws.addEventListener('close', (event) => {
    if (!closedByUs) handlers.onClose(event.code, opened)
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
