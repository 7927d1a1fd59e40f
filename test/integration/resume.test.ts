// Resume over real sockets: a client that reconnects gets exactly the messages it missed, in order.
import t from 'tap'
import { connect, logIn, refusal } from '../helpers/clients.js'
import { startServer } from '../helpers/server.js'
import { chatUser, range, takeMessages, FAST_FRAMES } from '../helpers/rooms.js'

const seqs = (messages: any[]) => messages.map((m) => m.seq)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('resume after a forced disconnect while others kept writing: exactly the missed messages, in order, no duplicates', async (t) => {
  const server = await startServer(t, { ...FAST_FRAMES, messageRatePerSec: 100 })
  const { client: alice } = await chatUser(t, server, 'alice')
  const { client: bob, cookie: bobCookie } = await chatUser(t, server, 'bob')
  alice.send({ type: 'create', room: 'dev' })
  await alice.next('joined', (f) => f.room === 'dev')
  bob.send({ type: 'join', room: 'dev' })
  await bob.next('joined', (f) => f.room === 'dev')

  // Alice writes in both rooms throughout: before, during and after Bob's outage.
  const TOTAL = 80
  const writing = (async () => {
    for (let i = 1; i <= TOTAL; i++) {
      alice.send({ type: 'message', room: i % 2 ? 'lobby' : 'dev', text: `m${i}` })
      await sleep(8)
    }
  })()
  await bob.next('message', (f) => f.room === 'dev' && f.seq >= 5)
  bob.ws.terminate()
  await bob.waitClose()
  const seen = {
    lobby: Math.max(0, ...seqs(takeMessages(bob, 'lobby'))),
    dev: Math.max(0, ...seqs(takeMessages(bob, 'dev')))
  }
  await sleep(100) // more is written while Bob is away

  const back = await connect(server, bobCookie, { join: false })
  t.teardown(() => back.ws.close())
  // On open, before anything else: resume each room from the last seq seen.
  back.send({ type: 'join', room: 'dev', since: seen.dev })
  back.send({ type: 'join', room: 'lobby', since: seen.lobby })
  await writing
  const last = {
    lobby: (await alice.next('message', (f) => f.text === `m${TOTAL - 1}`)).seq,
    dev: (await alice.next('message', (f) => f.text === `m${TOTAL}`)).seq
  }
  t.ok(last.dev - seen.dev > 5 && last.lobby - seen.lobby > 5, 'messages were missed, and written after the resume')
  for (const room of ['lobby', 'dev'] as const) {
    await back.next('joined', (f) => f.room === room && f.messages.length === 0)
    const final = await back.next('message', (f) => f.room === room && f.seq === last[room])
    const got = [...takeMessages(back, room), final]
    t.same(seqs(got), range(seen[room] + 1, last[room]), `${room}: every missed and later message once, in order`)
  }
  await sleep(50)
  t.same(takeMessages(back, 'lobby').concat(takeMessages(back, 'dev')), [], 'nothing after the last one')
})

t.test('resume after a server restart: history and sessions persisted', async (t) => {
  const dir = t.testdir({})
  const first = await startServer(t, { ...FAST_FRAMES, messageRatePerSec: 100 }, dir)
  const { client: alice } = await chatUser(t, first, 'alice')
  const { client: bob, cookie: bobCookie } = await chatUser(t, first, 'bob')
  for (let i = 1; i <= 3; i++) alice.send({ type: 'message', text: `before ${i}` })
  await bob.next('message', (f) => f.seq === 3)
  bob.ws.terminate()
  for (let i = 4; i <= 6; i++) alice.send({ type: 'message', text: `missed ${i}` })
  await alice.next('message', (f) => f.seq === 6)
  await first.app.close()

  const second = await startServer(t, { ...FAST_FRAMES, messageRatePerSec: 100 }, dir)
  const writer = await connect(second, await logIn(second, 'alice'))
  t.teardown(() => writer.ws.close())
  await writer.next('joined')
  writer.send({ type: 'message', text: 'after restart' })
  await writer.next('message', (f) => f.seq === 7)
  t.equal(await refusal(connect(second, bobCookie)), 'open', 'the session survived the restart')
  const back = await connect(second, bobCookie, { join: false })
  t.teardown(() => back.ws.close())
  back.send({ type: 'join', room: 'lobby', since: 3 })
  await back.next('joined', (f) => f.messages.length === 0)
  const got = [await back.next('message'), await back.next('message'), await back.next('message'), await back.next('message')]
  t.same(seqs(got), [4, 5, 6, 7])
  t.same(
    got.map((m) => m.text),
    ['missed 4', 'missed 5', 'missed 6', 'after restart']
  )
})
