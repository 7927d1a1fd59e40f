import t from 'tap'
import * as ws from 'ws'

// ws's framing (exported, untyped by @types/ws): what socket.send would write, as one buffer.
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, opts: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }): Buffer[] }
}
import { textFrame } from '../../lib/chat/gateway/text-frame.js'

const wsFrame = (payload: Buffer) =>
  Buffer.concat(Sender.frame(payload, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: true }))

t.test('the frame is byte for byte what ws builds, for every length encoding', async (t) => {
  for (const length of [0, 1, 125, 126, 127, 1000, 65535, 65536, 70_000]) {
    const payload = Buffer.alloc(length, 'a')
    t.ok(textFrame(payload).equals(wsFrame(payload)), `${length} bytes`)
  }
})

t.test('a fan-out builds the frame once: the same payload gives the same buffer', async (t) => {
  const payload = Buffer.from('{"type":"message"}')
  const frame = textFrame(payload)
  t.equal(textFrame(payload), frame)
  const other = Buffer.from('{"type":"message"}')
  t.not(textFrame(other), frame, 'another payload (even with equal bytes) gets its own frame')
  t.ok(textFrame(other).equals(frame))
})
