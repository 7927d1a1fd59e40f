// The load generator's hot path, kept pure (no sockets) so test/unit/bench-frames.test.ts can check
// it: reading server-to-client WebSocket frames straight from the decrypted bytes without
// building strings, the marker that tags each benchmark message with its step and send time,
// and the client side of the upgrade (key, accept, masked frames).
import { createHash, randomBytes, randomFillSync } from 'node:crypto'

export const OP = { CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa }
/** A frame longer than this is a parser desync or a hostile server: the reader throws instead of allocating it. */
export const MAX_FRAME = 16 * 1024 * 1024

/** Header size (2-14 bytes) from its second byte: extended 16/64-bit length, mask key. */
const headerSize = (b1) => 2 + ((b1 & 0x7f) === 126 ? 2 : (b1 & 0x7f) === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0)

/** Payload length of the complete header at pos. */
function payloadLength(buf, pos) {
  const len = buf[pos + 1] & 0x7f
  if (len === 126) return (buf[pos + 2] << 8) | buf[pos + 3]
  if (len < 126) return len
  const hi = buf.readUInt32BE(pos + 2)
  const lo = buf.readUInt32BE(pos + 6)
  if (hi > 0) throw new Error('frame too large')
  return lo
}

/**
 * Returns push(buf, start, end): feeds bytes read from the socket, in any chunking.
 * onFrame(opcode, fin, buf, start, end) is called once per complete frame with its payload in
 * buf[start, end), valid only during the call (buf may be a read buffer shared by every socket).
 * A frame in one read is passed in place; only a frame split across reads is copied (into a
 * buffer of its own size). A masked frame (servers do not mask) is unmasked in place.
 */
export function createFrameReader(onFrame) {
  let stash = null // bytes of a frame split across reads
  let have = 0

  function emit(buf, pos) {
    const b0 = buf[pos]
    const b1 = buf[pos + 1]
    const hs = headerSize(b1)
    const len = payloadLength(buf, pos)
    const start = pos + hs
    if (b1 & 0x80) for (let i = 0; i < len; i++) buf[start + i] ^= buf[start - 4 + (i & 3)]
    onFrame(b0 & 0x0f, (b0 & 0x80) !== 0, buf, start, start + len)
    return hs + len
  }

  /** Total frame size when its header is complete in buf[pos, end), else -1. */
  function frameSize(buf, pos, end) {
    if (end - pos < 2) return -1
    const hs = headerSize(buf[pos + 1])
    if (end - pos < hs) return -1
    const total = hs + payloadLength(buf, pos)
    if (total > MAX_FRAME) throw new Error('frame too large')
    return total
  }

  /** Completes the stashed frame from buf; returns the new read position. */
  function fill(buf, pos, end) {
    // The header first, byte by byte (at most 14), so no byte of the next frame is taken.
    while (have < 2 && pos < end) stash[have++] = buf[pos++]
    if (have < 2) return pos
    const hs = headerSize(stash[1])
    while (have < hs && pos < end) stash[have++] = buf[pos++]
    if (have < hs) return pos
    const total = frameSize(stash, 0, have)
    if (stash.length < total) {
      const grown = Buffer.allocUnsafe(total)
      stash.copy(grown, 0, 0, have)
      stash = grown
    }
    const n = Math.min(total - have, end - pos)
    buf.copy(stash, have, pos, pos + n)
    have += n
    pos += n
    if (have === total) {
      const done = stash
      stash = null
      have = 0
      emit(done, 0)
    }
    return pos
  }

  return function push(buf, start = 0, end = buf.length) {
    let pos = start
    if (stash) pos = fill(buf, pos, end)
    while (pos < end) {
      const total = frameSize(buf, pos, end)
      if (total < 0 || pos + total > end) {
        // Split across reads: keep its bytes (a 14-byte stash until the length is known).
        stash = Buffer.allocUnsafe(total < 0 ? 14 : total)
        have = 0
        if (total < 0) fill(buf, pos, end)
        else have = buf.copy(stash, 0, pos, end)
        return
      }
      pos += emit(buf, pos)
    }
  }
}

// ---- the benchmark message: '~' + step letter + send time in µs + padding ----

/** '~' never occurs in the frames around the text (JSON keys, ids of 0-9a-z, bench user and room names). */
export const MARKER = 0x7e
export const TEXT_LENGTH = 50
/** The step's tag byte: 'A'..'Z' by step number, so a late frame of the previous step never counts. */
export const stepByte = (step) => (step < 0 ? 0 : 0x41 + (step % 26))

/** The text a sender puts in its message: 50 ASCII characters. */
export function messageText(step, sendUs) {
  const head = `~${String.fromCharCode(stepByte(step))}${Math.round(sendUs)}`
  return head + 'x'.repeat(Math.max(0, TEXT_LENGTH - head.length))
}

/** Position of the marker in buf[start, end), or -1. One memchr; a frame without it is rare. */
export function findMarker(buf, start, end) {
  const i = buf.indexOf(MARKER, start)
  return i >= 0 && i + 1 < end ? i : -1
}

/** The send time (µs since the epoch) written after the marker at i; NaN when malformed. */
export function readSendUs(buf, i, end) {
  let v = 0
  let j = i + 2
  for (; j < end; j++) {
    const c = buf[j]
    if (c < 0x30 || c > 0x39) break
    v = v * 10 + (c - 0x30)
  }
  return j > i + 2 ? v : NaN
}

// ---- client side of the upgrade and of frames ----

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
export const acceptFor = (key) => createHash('sha1').update(key + WS_GUID).digest('base64')
export const newKey = () => randomBytes(16).toString('base64')

/** The upgrade request: a real WebSocket handshake (RFC 6455 4.1) with the server's extra headers. */
export function upgradeRequest({ host, path, key, headers = {} }) {
  const extra = Object.entries(headers)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')
  return `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`
}

/** Checks the server's answer head (up to the blank line): 101, Upgrade: websocket, the right Sec-WebSocket-Accept. */
export function checkUpgradeResponse(head, key) {
  const lines = head.split('\r\n')
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1])
  if (status !== 101) return `upgrade refused: ${Number.isFinite(status) ? status : 'no HTTP status'}`
  const h = new Map()
  for (const line of lines.slice(1)) {
    const c = line.indexOf(':')
    if (c > 0) h.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim())
  }
  if (h.get('upgrade')?.toLowerCase() !== 'websocket') return 'upgrade: no Upgrade: websocket'
  if (h.get('sec-websocket-accept') !== acceptFor(key)) return 'upgrade: wrong Sec-WebSocket-Accept'
  if (h.has('sec-websocket-extensions')) return 'upgrade: unexpected extension'
  return ''
}

const maskPool = Buffer.allocUnsafe(4096)
let maskAt = maskPool.length

/** A client frame (always masked, RFC 6455 5.3) with a fresh random key. */
export function clientFrame(opcode, payload) {
  const len = payload.length
  const hs = len < 126 ? 6 : len < 65536 ? 8 : 14
  const out = Buffer.allocUnsafe(hs + len)
  out[0] = 0x80 | opcode
  if (len < 126) out[1] = 0x80 | len
  else if (len < 65536) {
    out[1] = 0x80 | 126
    out.writeUInt16BE(len, 2)
  } else {
    out[1] = 0x80 | 127
    out.writeUInt32BE(0, 2)
    out.writeUInt32BE(len, 6)
  }
  if (maskAt + 4 > maskPool.length) {
    randomFillSync(maskPool)
    maskAt = 0
  }
  maskPool.copy(out, hs - 4, maskAt, maskAt + 4)
  maskAt += 4
  for (let i = 0; i < len; i++) out[hs + i] = payload[i] ^ out[hs - 4 + (i & 3)]
  return out
}
