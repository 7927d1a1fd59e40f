// IDLE_ACTIVITY: input seen by the page (`activity` frames) keeps a reading user connected.
import t from 'tap'
import { connect, signUp } from '../helpers/clients.js'
import { startServer } from '../helpers/server.js'
import { Compile } from 'typebox/compile'
import { ServerFrameSchema } from '../../schemas/frames.js'

const WARN = 600
const KICK = 1500
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('IDLE_ACTIVITY=input: a reading user is kept by activity, a silent one and a refused-frames one are kicked', async (t) => {
  const server = await startServer(t, { idleWarnMs: WARN, idleKickMs: KICK, refusedFramesPerMin: 100_000 })
  // The idle clock starts at login: the reader logs in last and reports activity at once.
  const silent = await connect(server, await signUp(server, 'silent'))
  const noisy = await connect(server, await signUp(server, 'noisy'))
  const reader = await connect(server, await signUp(server, 'reader'))
  t.teardown(() => reader.ws.close())
  reader.send({ type: 'activity' })
  const timers = [
    setInterval(() => reader.send({ type: 'activity' }), 200),
    // Only refused or invalid frames: not activity.
    setInterval(() => {
      noisy.send({ type: 'message', text: '' })
      noisy.send({ type: 'activity', extra: 1 })
      noisy.send({ type: 'typing', room: 'nowhere' })
    }, 100)
  ]
  t.teardown(() => timers.forEach(clearInterval))
  t.same(await silent.waitClose(5000), { code: 4000, reason: 'idle' }, 'the silent user is kicked')
  t.same(await noisy.waitClose(5000), { code: 4000, reason: 'idle' }, 'refused frames are not activity')
  await sleep(KICK)
  t.notOk(reader.closed, 'the reading user is still connected, well past the kick time')
  t.equal(reader.frames.filter((f) => f.type === 'idle_warning').length, 0, 'and was never warned')
  t.same(reader.frames.filter((f) => f.type !== 'welcome' && f.type !== 'joined' && f.type !== 'presence'), [], 'activity has no answer')
})

t.test('IDLE_ACTIVITY=message: activity frames do not count, only messages', async (t) => {
  const server = await startServer(t, { idleWarnMs: WARN, idleKickMs: KICK, idleActivity: 'message' })
  const reader = await connect(server, await signUp(server, 'reader'))
  const timer = setInterval(() => reader.send({ type: 'activity' }), 100)
  t.teardown(() => clearInterval(timer))
  t.same(await reader.waitClose(5000), { code: 4000, reason: 'idle' })
})

t.test('IDLE_ACTIVITY: any other value stops start-up naming the variable', async (t) => {
  const { loadConfig } = await import('../../lib/shared/config.js')
  t.throws(() => loadConfig({ IDLE_ACTIVITY: 'mouse' }), /IDLE_ACTIVITY/)
  t.equal(loadConfig({}).idleActivity, 'input')
})

t.test('welcome tells the page what counts as activity: limits.idleActivity is IDLE_ACTIVITY', async (t) => {
  const check = Compile(ServerFrameSchema)
  for (const idleActivity of ['message', 'input'] as const) {
    const server = await startServer(t, { idleActivity })
    const client = await connect(server, await signUp(server, `who-${idleActivity}`))
    t.teardown(() => client.ws.close())
    const welcome = await client.next('welcome')
    t.equal(welcome.limits.idleActivity, idleActivity, `IDLE_ACTIVITY=${idleActivity}`)
    t.ok(check.Check(welcome), 'a valid welcome frame')
  }
  t.notOk(check.Check({ type: 'welcome', user: 'a', room: 'lobby', limits: { maxChars: 1, ratePerSec: 1, idleWarnMs: 1, idleKickMs: 2, idleActivity: 'mouse' } }), 'no other value')
})
