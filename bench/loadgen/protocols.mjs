// How the load generator speaks to each server: the socket path, the upgrade headers, how a
// chat message is framed, and what an incoming message that is not a benchmark delivery means
// (the hot path never gets here: loadgen/worker.mjs counts deliveries by their marker bytes).

/** Parley: JSON frames (docs/protocol.md, rooms per ROOMS-PROTOCOL.md); cookie + Origin on upgrade; WebSocket pings answered by the socket. */
const parley = {
  path: () => '/ws',
  headers: (port, cookie) => ({ Cookie: cookie, Origin: `https://127.0.0.1:${port}` }),
  // The room is named only outside the lobby: a server without rooms refuses the extra field.
  message: (text, room) => JSON.stringify(room && room !== 'lobby' ? { type: 'message', room, text } : { type: 'message', text }),
  parse(text) {
    const f = JSON.parse(text)
    switch (f.type) {
      case 'message':
        return { kind: 'message', text: f.text }
      case 'welcome':
        return { kind: 'ready' }
      case 'joined':
        return { kind: 'joined', room: f.room }
      case 'error':
        return { kind: f.code === 'rate_limited' ? 'refused' : 'error', code: f.code, room: f.room, retryInMs: f.retryInMs }
      default:
        return { kind: 'other' }
    }
  }
}

/** The floor: whatever is sent comes back to the whole room unchanged; ready on open. */
const floor = {
  path: (room) => `/?room=${room}`,
  headers: () => ({}),
  readyOnOpen: true,
  message: (text) => JSON.stringify({ type: 'message', text }),
  parse(text) {
    const f = JSON.parse(text)
    return f.type === 'message' ? { kind: 'message', text: f.text } : { kind: 'other' }
  }
}

/** Socket.IO 4 spoken directly: Engine.IO open '0' -> namespace connect '40', event '42', ping '2' -> pong '3'. */
const socketio = {
  path: (room) => `/socket.io/?EIO=4&transport=websocket&room=${room}`,
  headers: () => ({}),
  message: (text) => `42${JSON.stringify(['message', text])}`,
  parse(s, client) {
    if (s.startsWith('42')) {
      const [event, text] = JSON.parse(s.slice(2))
      return event === 'message' ? { kind: 'message', text } : { kind: 'other' }
    }
    if (s === '2') client.send('3') // Engine.IO heartbeat: Socket.IO drops a client that misses one
    else if (s.startsWith('0')) client.send('40') // connect to the main namespace
    else if (s.startsWith('40')) return { kind: 'ready' }
    else if (s.startsWith('44')) return { kind: 'error', code: s.slice(2) }
    return { kind: 'other' }
  }
}

export const PROTOCOLS = { parley, floor, socketio }
