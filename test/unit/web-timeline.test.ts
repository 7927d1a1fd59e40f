// The page's timeline: each seq once, in order, whatever the arrival order; grouping for display.
import t from 'tap'
import type { ChatMessage } from '../../web/protocol.js'
import { addNotice, firstSeq, groupTimeline, lastSeq, mergeMessages, GROUP_GAP_MS } from '../../web/timeline.js'

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0)
const msg = (seq: number, user = 'alice', ts = T0 + seq * 1000): ChatMessage => ({
  type: 'message', id: `id${seq}`, room: 'lobby', seq, user, text: `m${seq}`, ts
})
const seqs = (items: ReturnType<typeof mergeMessages>) => items.filter((i) => i.kind === 'message').map((i) => i.seq)

t.test('live, replayed and history messages merge once each, in seq order', async (t) => {
  let items = mergeMessages([], [msg(5), msg(6)])
  items = mergeMessages(items, [msg(6), msg(7)]) // replay overlapping what was seen live
  items = mergeMessages(items, [msg(7)])
  t.same(seqs(items), [5, 6, 7])
  const same = mergeMessages(items, [msg(6)])
  t.equal(same, items, 'nothing new: the same array (no re-render)')
  items = mergeMessages(items, [msg(2), msg(3), msg(4)]) // history page
  t.same(seqs(items), [2, 3, 4, 5, 6, 7])
  items = mergeMessages(items, [msg(10), msg(8), msg(9)])
  t.same(seqs(items), [2, 3, 4, 5, 6, 7, 8, 9, 10])
  t.equal(firstSeq(items), 2)
  t.equal(lastSeq(items), 10)
})

t.test('notices stay after the message they followed; old items are dropped past the cap', async (t) => {
  let items = mergeMessages([], [msg(1)])
  items = addNotice(items, 'bob joined', T0)
  items = mergeMessages(items, [msg(2)])
  t.same(items.map((i) => (i.kind === 'notice' ? i.text : i.seq)), [1, 'bob joined', 2])
  items = mergeMessages(items, [msg(0.5 as number)].map((m) => ({ ...m, seq: 0 })))
  t.same(items.map((i) => (i.kind === 'notice' ? i.text : i.seq)), [0, 1, 'bob joined', 2])
  const capped = mergeMessages([], Array.from({ length: 10 }, (_, i) => msg(i + 1)), 4)
  t.same(seqs(mergeMessages(capped, [msg(11)], 4)), [8, 9, 10, 11])
})

t.test('grouping: one person in a row shares name and time; gaps, notices and days split', async (t) => {
  const day = (ts: number) => new Date(ts).toISOString().slice(0, 10)
  let items = mergeMessages([], [msg(1), msg(2), msg(3, 'bob'), msg(4, 'bob')])
  items = mergeMessages(items, [msg(5, 'bob', T0 + 4000 + GROUP_GAP_MS)])
  items = addNotice(items, 'carol joined', T0 + GROUP_GAP_MS + 5000)
  items = mergeMessages(items, [msg(6, 'bob', T0 + GROUP_GAP_MS + 6000), msg(7, 'bob', T0 + 86_400_000)])
  const blocks = groupTimeline(items, 'bob', day)
  t.same(
    blocks.map((b) => (b.kind === 'group' ? `${b.user}${b.own ? '*' : ''}:${b.messages.map((m) => m.seq)}` : b.kind)),
    ['day', 'alice:1,2', 'bob*:3,4', 'bob*:5', 'notice', 'bob*:6', 'day', 'bob*:7']
  )
})
