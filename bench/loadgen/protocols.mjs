// How the load generator speaks to each server: the socket URL, the headers, how a chat
// message is framed, and what an incoming frame means. One entry per server kind.

/** Parley: JSON frames (docs/protocol.md, rooms per ROOMS-PROTOCOL.md); cookie + Origin on upgrade. */
const parley = {
  url: (port) => `wss://127.0.0.1:${port}/ws`,
  headers: (port, cookie) => ({ Cookie: cookie, Origin: `https://127.0.0.1:${port}` }),
  // The room is named only outside the lobby: a server without rooms refuses the extra field.
  message: (text, room) => JSON.stringify(room && room !== 'lobby' ? { type: 'message', room, text } : { type: 'message', text }),
  parse(data) {
    const f = JSON.parse(data)
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
  url: (port, room) => `wss://127.0.0.1:${port}/?room=${room}`,
  headers: () => ({}),
  readyOnOpen: true,
  message: (text) => JSON.stringify({ type: 'message', text }),
  parse(data) {
    const f = JSON.parse(data)
    return f.type === 'message' ? { kind: 'message', text: f.text } : { kind: 'other' }
  }
}

/** Socket.IO 4 spoken directly over ws: Engine.IO open '0', namespace connect '40', event '42'. */
const socketio = {
  url: (port, room) => `wss://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&room=${room}`,
  headers: () => ({}),
  message: (text) => `42${JSON.stringify(['message', text])}`,
  parse(data, ws) {
    const s = data.toString()
    if (s.startsWith('42')) {
      const [event, text] = JSON.parse(s.slice(2))
      return event === 'message' ? { kind: 'message', text } : { kind: 'other' }
    }
    if (s === '2') ws.send('3') // Engine.IO heartbeat: answer every ping
    else if (s.startsWith('0')) ws.send('40') // connect to the main namespace
    else if (s.startsWith('40')) return { kind: 'ready' }
    else if (s.startsWith('44')) return { kind: 'error', code: s.slice(2) }
    return { kind: 'other' }
  }
}

export const PROTOCOLS = { parley, floor, socketio }
