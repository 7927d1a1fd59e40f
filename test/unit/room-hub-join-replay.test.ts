// Room hub: joined and its catch-up (join with since, also as a socket's first join), history pages.
import t from 'tap'
import { fakeClient, setup } from '../helpers/room-hub.js'

t.test('join with since replays exactly the missed messages, then live ones, with no gap or duplicate', async (t) => {
  const { hub } = await setup(t)
  const writer = fakeClient('writer')
  hub.join(writer, 'lobby')
  for (let i = 1; i <= 5; i++) hub.post(writer, 'lobby', `m${i}`)
  await hub.drain()
  const reader = fakeClient('reader')
  hub.join(reader, 'lobby', 2)
  hub.post(writer, 'lobby', 'm6')
  await hub.drain()
  const frames = reader.take()
  t.match(frames[0], { type: 'joined', room: 'lobby', lastSeq: 5, messages: [] })
  t.same(
    frames.slice(1).map((f) => f.seq),
    [3, 4, 5, 6]
  )
})

t.test('joining a room the socket is in replays only what it did not get live', async (t) => {
  const { hub } = await setup(t)
  const writer = fakeClient('writer')
  const reader = fakeClient('reader')
  hub.join(writer, 'lobby')
  for (let i = 1; i <= 3; i++) hub.post(writer, 'lobby', `m${i}`)
  await hub.drain()
  hub.join(reader, 'lobby') // the auto-join on connect: recent history 1..3
  hub.post(writer, 'lobby', 'm4')
  await hub.drain()
  t.same(
    reader.take().map((f) => f.seq ?? f.messages.map((m: any) => m.seq)),
    [[1, 2, 3], 4]
  )
  hub.join(reader, 'lobby', 1) // the resume: the client had seen up to 1
  const frames = reader.take()
  t.match(frames[0], { type: 'joined', lastSeq: 3, messages: [] })
  t.same(
    frames.slice(1).map((f) => f.seq),
    [2, 3],
    'not 4: that one came live'
  )
})

t.test('a resume point older than the history: reset with the recent history', async (t) => {
  const { hub } = await setup(t, { limit: 3 })
  const writer = fakeClient('writer')
  hub.join(writer, 'lobby')
  for (let i = 1; i <= 6; i++) hub.post(writer, 'lobby', `m${i}`)
  await hub.drain()
  const reader = fakeClient('reader')
  hub.join(reader, 'lobby', 1)
  const [joined, ...rest] = reader.take()
  t.match(joined, { type: 'joined', reset: true, lastSeq: 6 })
  t.same(
    joined.messages.map((m: any) => m.seq),
    [4, 5, 6]
  )
  t.same(rest, [])
})

t.test('history pages back for members only', async (t) => {
  const { hub } = await setup(t)
  const alice = fakeClient('alice')
  hub.join(alice, 'lobby')
  for (let i = 1; i <= 8; i++) hub.post(alice, 'lobby', `m${i}`)
  await hub.drain()
  alice.take()
  hub.history(alice, 'lobby', 6, 3)
  const [page] = alice.take()
  t.match(page, { type: 'history', room: 'lobby', more: true })
  t.same(
    page.messages.map((m: any) => m.seq),
    [3, 4, 5]
  )
  t.equal(hub.history(fakeClient('bob'), 'lobby', 6, 3), 'not_in_room')
})

t.test('a resume as the first join (no room joined on connect) replays in order, once each, then live', async (t) => {
  const { hub } = await setup(t)
  const writer = fakeClient('writer')
  hub.join(writer, 'lobby')
  for (let i = 1; i <= 4; i++) hub.post(writer, 'lobby', `m${i}`)
  await hub.drain()
  const reader = fakeClient('reader')
  hub.join(reader, 'lobby', 1) // the client's first frame: resume from 1
  const frames = reader.take()
  t.match(frames[0], { type: 'joined', messages: [] })
  t.same(
    frames.slice(1).map((f) => f.seq),
    [2, 3, 4],
    'the replay: in order, once each'
  )
  hub.post(writer, 'lobby', 'm5')
  await hub.drain()
  t.match(reader.take(), [{ seq: 5 }], 'live after that')
})
