// How the load generator speaks to each server: the socket path, the upgrade headers, how a
// chat message is framed, and what an incoming message that is not a benchmark delivery means
// (the hot path never gets here: loadgen/receive.mjs counts deliveries by their marker bytes).
// parse(buf, start, end, client) reads the frame's bytes in place: a frame the generator only
// ignores (Parley's presence, online, typing, members...: large ones in a large room) is
// recognised by its first bytes and never decoded; only those it acts on are parsed.

const TYPE_PREFIX = Buffer.from('{"type":"')
const ROOM_PREFIX = Buffer.from(',"room":"')
const QUOTE = 0x22
const BACKSLASH = 0x5c

/** True when buf[at..] starts with the bytes of prefix (and they lie before end). */
function startsWith(buf, at, end, prefix) {
  if (end - at < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (buf[at + i] !== prefix[i]) return false
  return true
}

/** The string value starting at buf[at] up to its closing quote, or undefined when it is escaped, too long or unterminated. */
function plainString(buf, at, end, max) {
  const stop = Math.min(end, at + max)
  for (let i = at; i < stop; i++) {
    const c = buf[i]
    if (c === QUOTE) return buf.toString('latin1', at, i)
    if (c === BACKSLASH || c > 0x7e) return undefined
  }
  return undefined
}

const READY = { kind: 'ready' }

/**
 * Parley joins no room by itself: a client asks for the lobby in its upgrade (`/ws?join=lobby`),
 * whose `joined` comes right after `welcome` and makes it ready.
 */
const welcomed = () => ({ kind: 'other' })
const joinedEvent = (room, client) => (room === 'lobby' && !client.ready ? READY : { kind: 'joined', room })

/** A Parley frame that was parsed in full, as an event. */
function parleyEvent(f, client) {
  switch (f.type) {
    case 'message':
      return { kind: 'message', text: f.text }
    case 'welcome':
      return welcomed()
    case 'joined':
      return joinedEvent(f.room, client)
    case 'error':
      return { kind: f.code === 'rate_limited' ? 'refused' : 'error', code: f.code, room: f.room, retryInMs: f.retryInMs }
    default:
      return { kind: 'other' }
  }
}

const parseJson = (buf, start, end) => JSON.parse(buf.toString('utf8', start, end))

/** Parley: JSON frames (docs/protocol.md, rooms per ROOMS-PROTOCOL.md); cookie + Origin on upgrade; WebSocket pings answered by the socket. */
const parley = {
  path: () => '/ws?join=lobby',
  headers: (port, cookie) => ({ Cookie: cookie, Origin: `https://127.0.0.1:${port}` }),
  // The room is named only outside the lobby: a server without rooms refuses the extra field.
  message: (text, room) => JSON.stringify(room && room !== 'lobby' ? { type: 'message', room, text } : { type: 'message', text }),
  parse(buf, start, end, client) {
    // Parley writes `type` first (JSON.stringify of its frame objects); any other layout is parsed in full.
    const type = startsWith(buf, start, end, TYPE_PREFIX) ? plainString(buf, start + TYPE_PREFIX.length, end, 32) : undefined
    switch (type) {
      case undefined:
      case 'message': // only before the client is ready or without a marker: rare
      case 'error': // small, and every one must be counted with its code
        return parleyEvent(parseJson(buf, start, end), client)
      case 'welcome':
        return welcomed()
      case 'joined': {
        // Only its room matters: the member list and the history after it are left unread.
        const at = start + TYPE_PREFIX.length + type.length + 1
        const room = startsWith(buf, at, end, ROOM_PREFIX) ? plainString(buf, at + ROOM_PREFIX.length, end, 256) : undefined
        return room === undefined ? parleyEvent(parseJson(buf, start, end), client) : joinedEvent(room, client)
      }
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
  parse(buf, start, end) {
    const f = parseJson(buf, start, end)
    return f.type === 'message' ? { kind: 'message', text: f.text } : { kind: 'other' }
  }
}

const ch = (c) => c.charCodeAt(0)
/** Socket.IO 4 spoken directly: Engine.IO open '0' -> namespace connect '40', event '42', ping '2' -> pong '3'. */
const socketio = {
  path: (room) => `/socket.io/?EIO=4&transport=websocket&room=${room}`,
  headers: () => ({}),
  message: (text) => `42${JSON.stringify(['message', text])}`,
  parse(buf, start, end, client) {
    const b0 = buf[start]
    const b1 = end - start > 1 ? buf[start + 1] : -1
    if (b0 === ch('4') && b1 === ch('2')) {
      const [event, text] = JSON.parse(buf.toString('utf8', start + 2, end))
      return event === 'message' ? { kind: 'message', text } : { kind: 'other' }
    }
    if (b0 === ch('2') && b1 === -1) client.send('3') // Engine.IO heartbeat: Socket.IO drops a client that misses one
    else if (b0 === ch('0')) client.send('40') // connect to the main namespace
    else if (b0 === ch('4') && b1 === ch('0')) return { kind: 'ready' }
    else if (b0 === ch('4') && b1 === ch('4')) return { kind: 'error', code: buf.toString('utf8', start + 2, end) }
    return { kind: 'other' }
  }
}

// Fastify + @fastify/websocket (servers/fastify.mjs) speaks exactly as the floor.
export const PROTOCOLS = { parley, floor, socketio, fastify: floor }
