// kill -9 during a burst of messages: every message any client received is in the history after the restart.
import t from 'tap'
import { join } from 'node:path'
import type { ChatClient } from '../helpers/clients.js'
import { killDuringBursts, startReader, startRound } from '../helpers/crash.js'
import { wholeHistory } from '../helpers/rooms.js'

t.test('kill -9 during a burst: every message any client received is in the history after the restart', async (t) => {
  const dir = t.testdir({})
  const env = { DATA_DIR: join(dir, 'data'), CERTS_DIR: join(dir, 'certs'), MESSAGE_RATE_PER_SEC: '100', ROOM_JOINS_PER_MIN: '1000', FRAME_BUDGET_PER_SEC: '1000', FRAME_BUDGET_BURST: '1000' }
  const received = new Map<string, any>()
  for (let round = 0; round < 2; round++) {
    const { server, clients } = await startRound(t, env, round, (f) => {
      if (f.type === 'message') received.set(`${f.room}:${f.seq}`, f)
    })
    // bob joins once alice's create is answered: frames of two sockets may be read in either
    // order, and a join read before the create is rightly refused with no_such_room.
    clients[0]!.send({ type: round === 0 ? 'create' : 'join', room: 'dev' })
    await clients[0]!.next('joined', (f) => f.room === 'dev')
    clients[1]!.send({ type: 'join', room: 'dev' })
    await clients[1]!.next('joined', (f) => f.room === 'dev')
    const before = received.size
    const burst = (client: ChatClient, c: number, b: number) => {
      for (let i = 0; i < 8; i++) client.send({ type: 'message', room: i % 2 ? 'dev' : 'lobby', text: `r${round} c${c} b${b} i${i}` })
    }
    await killDuringBursts(server, clients, burst, 100, 300 + Math.random() * 500)
    t.ok(received.size > before, `round ${round}: ${received.size - before} messages received before the kill`)
  }

  const { server, reader } = await startReader(t, env)
  const stored = new Map<string, any>()
  for (const room of ['lobby', 'dev']) for (const m of await wholeHistory(reader, room)) stored.set(`${room}:${m.seq}`, m)
  const missing = [...received.keys()].filter((key) => JSON.stringify(stored.get(key)) !== JSON.stringify(received.get(key)))
  t.same(missing, [], `all ${received.size} received messages are in the history, unchanged`)
  t.notMatch(server.output(), /r\d c\d b\d/, 'no message bodies in the logs')
  server.child.kill('SIGTERM')
  await server.exit
})
