// The page's outbox: one message in flight, resend with the same cid after a drop, ack by cid.
import t from 'tap'
import * as o from '../../web/outbox.js'

const ready = () => true

t.test('messages go out one at a time, in order, and leave on acknowledgement', async (t) => {
  let box = o.enqueue(o.enqueue([], 'c1', 'lobby', 'one'), 'c2', 'lobby', 'two')
  const first = o.nextToSend(box, ready)
  t.equal(first?.cid, 'c1')
  box = o.markSending(box, 'c1')
  t.equal(o.nextToSend(box, ready), undefined, 'nothing else while one is in flight')
  box = o.acknowledge(box, 'c1')
  t.equal(o.nextToSend(box, ready)?.cid, 'c2')
  t.equal(o.acknowledge(box, 'zzz'), box, 'an unknown cid changes nothing')
  t.equal(o.acknowledge(box, undefined), box, 'a message without cid changes nothing')
})

t.test('a drop requeues the message in flight with the same cid; a replayed ack removes it', async (t) => {
  let box = o.markSending(o.enqueue([], 'c1', 'dev', 'hi'), 'c1')
  box = o.requeueInFlight(box)
  t.same(box, [{ cid: 'c1', room: 'dev', text: 'hi', status: 'queued' }])
  t.equal(o.nextToSend(box, (room) => room !== 'dev'), undefined, 'waits until its room is rejoined')
  t.equal(o.nextToSend(box, ready)?.cid, 'c1', 'then goes out again with the same cid')
  // The replay after the rejoin shows it did arrive before the drop: no resend needed.
  t.same(o.acknowledge(box, 'c1'), [])
})

t.test('refused or stranded messages are marked not sent, never dropped', async (t) => {
  let box = o.enqueue(o.enqueue([], 'c1', 'a', 'x'), 'c2', 'b', 'y')
  box = o.markFailed(box, 'c1', 'too long')
  t.equal(box[0]!.status, 'failed')
  t.equal(box[0]!.reason, 'too long')
  t.equal(o.nextToSend(box, ready)?.cid, 'c2', 'a failed message does not block the queue')
  box = o.failRoom(box, 'b', 'left')
  t.same(box.map((e) => e.status), ['failed', 'failed'])
  box = o.requeue(box, 'c1')
  t.equal(o.nextToSend(box, ready)?.cid, 'c1', 'retry puts it back in the queue')
  t.same(o.failAll(box, 'gone').map((e) => [e.status, e.reason]), [['failed', 'gone'], ['failed', 'left']])
})
