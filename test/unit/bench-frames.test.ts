// The load generator counts deliveries from raw WebSocket bytes (bench/loadgen/frames.mjs): a
// parser bug would silently skew every benchmark figure, so it is checked here at every chunk
// boundary, with 7-bit, 16-bit and 64-bit lengths.
import t from 'tap'
import { createFrameReader, clientFrame, OP, MARKER, messageText, findMarker, readSendUs, stepByte, acceptFor, checkUpgradeResponse, upgradeRequest } from '../../bench/loadgen/frames.mjs'

/** A server frame (unmasked), with the length encoding the size needs, or the one forced. */
function serverFrame(opcode: number, payload: Buffer, { fin = true, force }: { fin?: boolean; force?: 16 | 64 } = {}): Buffer {
  const len = payload.length
  const enc = force ?? (len < 126 ? 7 : len < 65536 ? 16 : 64)
  const head = Buffer.alloc(enc === 7 ? 2 : enc === 16 ? 4 : 10)
  head[0] = (fin ? 0x80 : 0) | opcode
  if (enc === 7) head[1] = len
  else if (enc === 16) {
    head[1] = 126
    head.writeUInt16BE(len, 2)
  } else {
    head[1] = 127
    head.writeUInt32BE(0, 2)
    head.writeUInt32BE(len, 6)
  }
  return Buffer.concat([head, payload])
}

type Got = { op: number; fin: boolean; text: string }
function reader() {
  const got: Got[] = []
  const push = createFrameReader((op, fin, buf, start, end) => got.push({ op, fin, text: buf.toString('latin1', start, end) }))
  return { got, push }
}

const payloads = ['', 'a', 'x'.repeat(125), 'y'.repeat(126), 'z'.repeat(300), 'w'.repeat(65535), 'v'.repeat(65536 + 7)]
const stream = Buffer.concat([
  ...payloads.map((p) => serverFrame(OP.TEXT, Buffer.from(p))),
  serverFrame(OP.PING, Buffer.from('hb')),
  serverFrame(OP.TEXT, Buffer.from('small in 64-bit'), { force: 64 }),
  serverFrame(OP.TEXT, Buffer.from('small in 16-bit'), { force: 16 }),
  serverFrame(OP.TEXT, Buffer.from('part1'), { fin: false }),
  serverFrame(OP.CONT, Buffer.from('part2'))
])
const expected: Got[] = [
  ...payloads.map((text) => ({ op: OP.TEXT, fin: true, text })),
  { op: OP.PING, fin: true, text: 'hb' },
  { op: OP.TEXT, fin: true, text: 'small in 64-bit' },
  { op: OP.TEXT, fin: true, text: 'small in 16-bit' },
  { op: OP.TEXT, fin: false, text: 'part1' },
  { op: OP.CONT, fin: true, text: 'part2' }
]

t.test('frames in one read come out whole and in order', async (t) => {
  const { got, push } = reader()
  push(stream)
  t.same(got, expected)
})

t.test('a split at any byte of small frames, 16-bit and 64-bit headers yields the same frames', async (t) => {
  // Every cut point through the first frames (7-bit, 16-bit and the start of the 64-bit one) and a spread over the rest.
  const head = serverFrame(OP.TEXT, Buffer.from('y'.repeat(126))).length + serverFrame(OP.TEXT, Buffer.from('z'.repeat(300))).length + 400
  const cuts = [...Array.from({ length: head }, (_, i) => i), ...Array.from({ length: 200 }, (_, i) => Math.floor((i * stream.length) / 200))]
  for (const cut of cuts) {
    const { got, push } = reader()
    push(stream.subarray(0, cut))
    push(stream.subarray(cut))
    if (got.length !== expected.length || got.some((g, i) => g.text !== expected[i]!.text || g.op !== expected[i]!.op)) {
      t.fail(`cut at ${cut}`)
      return
    }
  }
  t.pass(`${cuts.length} cut points`)
})

t.test('byte-by-byte and random chunking, in a reused read buffer, yield the same frames', async (t) => {
  const one = reader()
  for (let i = 0; i < stream.length; i += 1) one.push(stream.subarray(i, i + 1))
  t.same(one.got, expected, 'one byte per read')
  // The real reader gets slices of one shared buffer that the next read overwrites.
  const shared = Buffer.alloc(4096)
  const many = reader()
  let seed = 7
  for (let pos = 0; pos < stream.length; ) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    const n = Math.min(1 + (seed % 4000), stream.length - pos)
    stream.copy(shared, 0, pos, pos + n)
    many.push(shared, 0, n)
    shared.fill(0x7e) // stale bytes after a read must never be read as frame bytes
    pos += n
  }
  t.same(many.got, expected, 'random reads through a shared buffer')
})

t.test('a masked frame is unmasked; a client frame is masked with a fresh key', async (t) => {
  const frame = clientFrame(OP.TEXT, Buffer.from('hello there'))
  t.equal(frame[1]! & 0x80, 0x80, 'client frames carry the mask bit')
  t.not(frame.subarray(6).toString(), 'hello there', 'payload is masked on the wire')
  const { got, push } = reader()
  push(frame)
  push(clientFrame(OP.PONG, Buffer.alloc(200, 0x61)))
  t.same(got, [
    { op: OP.TEXT, fin: true, text: 'hello there' },
    { op: OP.PONG, fin: true, text: 'a'.repeat(200) }
  ])
})

t.test('an absurd length throws instead of allocating', async (t) => {
  const bad = Buffer.from([0x81, 127, 0, 0, 0, 1, 0, 0, 0, 0])
  const { push } = reader()
  t.throws(() => push(bad), /too large/)
})

t.test('the marker carries the step letter and the send time', async (t) => {
  const text = messageText(3, 1764425547123456)
  t.equal(text.length, 50)
  const frame = Buffer.from(JSON.stringify({ type: 'message', id: 'm0abc', room: 'lobby', user: 'bench12', text, ts: 1764425547123 }))
  const i = findMarker(frame, 0, frame.length)
  t.equal(frame[i], MARKER)
  t.equal(frame[i + 1], stepByte(3))
  t.not(stepByte(3), stepByte(4), 'consecutive steps differ')
  t.equal(stepByte(-1), 0, 'between steps nothing matches')
  t.equal(readSendUs(frame, i, frame.length), 1764425547123456)
  const none = Buffer.from('{"type":"joined","room":"lobby"}~A1')
  t.equal(findMarker(none, 0, 30), -1, 'a marker beyond the frame end does not count')
})

t.test('the upgrade is checked: status, Upgrade header and Sec-WebSocket-Accept', async (t) => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ=='
  t.equal(acceptFor(key), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'RFC 6455 example')
  const ok = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}`
  t.equal(checkUpgradeResponse(ok, key), '')
  t.match(checkUpgradeResponse(ok.replace(acceptFor(key), acceptFor('other')), key), /Accept/)
  t.match(checkUpgradeResponse('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1', key), /refused: 429/)
  const req = upgradeRequest({ host: '127.0.0.1:5000', path: '/ws', key, headers: { Cookie: 'session=x', Origin: 'https://127.0.0.1:5000' } })
  t.match(req, /^GET \/ws HTTP\/1\.1\r\n/)
  t.match(req, /\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n/)
  t.match(req, /\r\nCookie: session=x\r\nOrigin: https:\/\/127\.0\.0\.1:5000\r\n\r\n$/)
})
