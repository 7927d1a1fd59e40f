import t from 'tap'
import { createMemoryHub, type ChatClient } from '../../lib/chat/gateway/chat-hub.js'
import { encodeIdleWarning } from '../../lib/chat/protocol/server-frames.js'

function fakeClient(user: string, sessionId: string, room = 'lobby') {
  const client = {
    user,
    limitKey: user,
    sessionId,
    room,
    received: [] as string[],
    buffers: [] as Buffer[],
    closed: [] as [number, string][],
    send(data: Buffer) {
      this.buffers.push(data)
      this.received.push(data.toString())
    },
    close(code: number, reason: string) {
      this.closed.push([code, reason])
    }
  }
  return client satisfies ChatClient
}

t.test('sessions: send and close by session; leave counts what is left', async (t) => {
  const hub = createMemoryHub()
  const tab1 = fakeClient('alice', 's1')
  const tab2 = fakeClient('alice', 's1')
  const bob = fakeClient('bob', 's2')
  for (const c of [tab1, tab2, bob]) hub.join(c)
  t.equal(hub.size, 3)
  t.equal(hub.countUser('alice'), 2)
  hub.sendToSession('s1', encodeIdleWarning(5))
  t.equal(tab1.received.length, 1)
  t.equal(tab2.received.length, 1)
  t.equal(bob.received.length, 0)
  t.equal(hub.closeSession('s1', 4000, 'idle'), 2)
  t.same(tab1.closed, [[4000, 'idle']])
  t.equal(hub.leave(tab1), 1)
  t.equal(hub.leave(tab1), 1, 'leaving twice is harmless')
  t.equal(hub.leave(tab2), 0)
  t.equal(hub.size, 1)
  t.equal(hub.countUser('alice'), 0)
  hub.closeAll(1001, 'shutdown')
  t.same(bob.closed, [[1001, 'shutdown']])
})
