// A server-to-client WebSocket text frame (RFC 6455 section 5.2: FIN, opcode 1, no mask), built
// once per payload: a fan-out hands the same payload Buffer to every recipient, so all of them
// get the very same frame bytes, and each socket costs one write of one buffer.

let lastPayload: Buffer | undefined
let lastFrame: Buffer | undefined

/** The frame carrying `payload` (UTF-8 JSON); the same Buffer as last time for the same payload Buffer. */
export function textFrame(payload: Buffer): Buffer {
  if (payload === lastPayload) return lastFrame!
  const length = payload.length
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10
  const frame = Buffer.allocUnsafe(head + length)
  frame[0] = 0x81
  if (length < 126) {
    frame[1] = length
  } else if (length < 65536) {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 127
    frame.writeUInt32BE(Math.floor(length / 0x100000000), 2)
    frame.writeUInt32BE(length >>> 0, 6)
  }
  payload.copy(frame, head)
  lastPayload = payload
  lastFrame = frame
  return frame
}
