import t from 'tap'
import { createMemorySessionRegistry, sessionIdOf } from '../../lib/sessions/memory-session-registry.js'

const META = { address: '127.0.0.1', browser: 'Firefox' }

t.test('sessions are random, live until ended or expired, and listeners hear each end once', async (t) => {
  let now = 0
  const reg = createMemorySessionRegistry(1000, () => now)
  const ended: string[] = []
  reg.onEnd((s, reason) => ended.push(`${s.username}:${reason}`))
  const a = await reg.create('alice', META)
  const b = await reg.create('bob', META)
  t.not(a.token, b.token)
  t.ok(a.token.length >= 43, '32 random bytes')
  t.not(a.session.publicId, b.session.publicId)
  t.equal(a.session.id, sessionIdOf(a.token), 'the registry keys sessions by a hash of the token')
  t.not(a.session.publicId, a.token)
  t.equal((await reg.get(a.token))?.username, 'alice')
  t.equal(await reg.get(a.session.id), undefined, 'the internal id is not a bearer token')
  t.equal(await reg.end(a.session.id, 'logout'), true)
  t.equal(await reg.end(a.session.id, 'logout'), false)
  t.equal(await reg.get(a.token), undefined)
  now = 999
  t.ok(await reg.get(b.token))
  now = 1000
  t.equal(await reg.get(b.token), undefined, 'expired at its absolute lifetime')
  const c = await reg.create('carol', META)
  now = 2000
  t.equal(await reg.endExpired(), 1)
  t.equal(await reg.get(c.token), undefined)
  t.same(ended, ['alice:logout', 'bob:expired', 'carol:expired'])
})

t.test('list gives one user their live sessions; touch moves lastActive forward only', async (t) => {
  let now = 10
  const reg = createMemorySessionRegistry(1000, () => now)
  const a1 = await reg.create('alice', META)
  now = 20
  const a2 = await reg.create('alice', { address: '127.0.0.2', browser: 'Chrome' })
  await reg.create('bob', META)
  t.same((await reg.list('alice')).map((s) => s.publicId), [a1.session.publicId, a2.session.publicId])
  t.equal((await reg.list()).length, 3)
  reg.touch(a1.session.id, 50)
  reg.touch(a1.session.id, 40)
  t.equal((await reg.get(a1.token))?.lastActive, 50)
  await reg.end(a1.session.id, 'revoked')
  t.same((await reg.list('alice')).map((s) => s.address), ['127.0.0.2'])
})

t.test('close() waits for a write still on its way (a session ended just before the close)', async (t) => {
  const pending: (() => void)[] = []
  const reg = createMemorySessionRegistry(60_000, Date.now, {
    persistence: { save: () => new Promise<void>((resolve) => pending.push(resolve)), flushEveryMs: 60_000 }
  })
  const created = reg.create('alice', META)
  pending.shift()!()
  const { session } = await created
  void reg.end(session.id, 'idle')
  let closed = false
  const closing = reg.close().then(() => (closed = true))
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(closed, false, 'not closed while the end is being written')
  pending.shift()!()
  await closing
  t.equal(closed, true)
})

t.test('isLive: by the session id, false once ended or expired (the chat socket re-checks with it after admission)', async (t) => {
  let now = 0
  const reg = createMemorySessionRegistry(1000, () => now)
  const a = await reg.create('alice', META)
  const b = await reg.create('bob', META)
  t.equal(await reg.isLive(a.session.id), true)
  t.equal(await reg.isLive(a.token), false, 'a token is not an id')
  await reg.end(a.session.id, 'logout')
  t.equal(await reg.isLive(a.session.id), false, 'ended')
  now = 1000
  t.equal(await reg.isLive(b.session.id), false, 'expired at its absolute lifetime')
})
