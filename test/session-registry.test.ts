import t from 'tap'
import { createMemorySessionRegistry } from '../lib/session-registry.js'

t.test('sessions are random, live until ended or expired, and listeners hear each end once', async (t) => {
  let now = 0
  const reg = createMemorySessionRegistry(1000, () => now)
  const ended: string[] = []
  reg.onEnd((s, reason) => ended.push(`${s.username}:${reason}`))
  const a = await reg.create('alice')
  const b = await reg.create('bob')
  t.not(a.id, b.id)
  t.ok(a.id.length >= 32)
  t.equal((await reg.get(a.id))?.username, 'alice')
  t.equal(await reg.end(a.id, 'logout'), true)
  t.equal(await reg.end(a.id, 'logout'), false)
  t.equal(await reg.get(a.id), undefined)
  now = 999
  t.ok(await reg.get(b.id))
  now = 1000
  t.equal(await reg.get(b.id), undefined, 'expired at its absolute lifetime')
  const c = await reg.create('carol')
  now = 2000
  t.equal(await reg.endExpired(), 1)
  t.equal(await reg.get(c.id), undefined)
  t.same(ended, ['alice:logout', 'bob:expired', 'carol:expired'])
})
