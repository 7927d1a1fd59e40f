import t from 'tap'
import { createMemoryHub, type ChatClient } from '../lib/chat-hub.js'

function fakeClient(user: string, sessionId: string, room = 'lobby') {
  const client = {
    user,
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

t.test('post delivers one serialised frame to everyone in the room, and only there', async (t) => {
  const hub = createMemoryHub(() => 1234)
  const a = fakeClient('alice', 's1')
  const b = fakeClient('bob', 's2')
  const other = fakeClient('carol', 's3', 'elsewhere')
  for (const c of [a, b, other]) hub.join(c)
  const frame = await hub.post('lobby', 'alice', 'hi')
  t.match(frame, { type: 'message', room: 'lobby', user: 'alice', text: 'hi', ts: 1234 })
  t.same(a.received, [JSON.stringify(frame)])
  t.equal(b.received[0], a.received[0])
  t.equal(b.buffers[0], a.buffers[0], 'one encoded buffer for all recipients')
  t.same(other.received, [])
  const second = await hub.post('lobby', 'bob', 'yo')
  t.not(second.id, frame.id)
  t.ok(second.id > frame.id, 'ids sort in order')
})

t.test('sessions: send and close by session; leave counts what is left', async (t) => {
  const hub = createMemoryHub()
  const tab1 = fakeClient('alice', 's1')
  const tab2 = fakeClient('alice', 's1')
  const bob = fakeClient('bob', 's2')
  for (const c of [tab1, tab2, bob]) hub.join(c)
  t.equal(hub.size, 3)
  t.equal(hub.countUser('alice'), 2)
  hub.sendToSession('s1', { type: 'idle_warning', kickInMs: 5 })
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
