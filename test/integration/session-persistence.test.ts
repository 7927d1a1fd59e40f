import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openJsonSessionRegistry } from '../../lib/sessions/json-session-registry.js'
import { connect, logIn, refusal, request, signUp } from '../helpers/clients.js'
import { startServer, testConfig } from '../helpers/server.js'
import { buildApp } from '../../app.js'
import { loadTlsMaterial } from '../../lib/transport/tls-material.js'

const META = { address: '127.0.0.1', browser: 'Chrome' }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('restart on the same DATA_DIR: live sessions stay valid, ended ones stay ended', async (t) => {
  const dir = t.testdir({})
  const first = await startServer(t, {}, dir)
  const live = await signUp(first, 'alice')
  const loggedOut = await logIn(first, 'alice')
  const revoked = await logIn(first, 'alice')
  t.equal((await request(first, 'POST', '/api/logout', { cookie: loggedOut })).status, 204)
  const list = (await request(first, 'GET', '/api/sessions', { cookie: live })).body.sessions
  const revokedId = list.find((s: { current: boolean }) => !s.current).id
  t.equal((await request(first, 'DELETE', `/api/sessions/${revokedId}`, { cookie: live })).status, 204)
  await first.app.close()

  const file = join(dir, 'sessions.json')
  t.equal(statSync(file).mode & 0o777, 0o600, 'sessions.json is 0600')
  const second = await startServer(t, {}, dir)
  t.equal((await request(second, 'GET', '/api/me', { cookie: live })).status, 200, 'the live session survived')
  t.equal((await request(second, 'GET', '/api/me', { cookie: loggedOut })).status, 401, 'logged out stays logged out')
  t.equal((await request(second, 'GET', '/api/me', { cookie: revoked })).status, 401, 'revoked stays revoked')
  t.equal(await refusal(connect(second, loggedOut)), 401)
  const tab = await connect(second, live)
  t.match(await tab.next('welcome'), { user: 'alice' }, 'the surviving cookie opens /ws')
  const after = (await request(second, 'GET', '/api/sessions', { cookie: live })).body.sessions
  t.same(after.map((s: { id: string }) => s.id), list.filter((s: { current: boolean }) => s.current).map((s: { id: string }) => s.id), 'same public id')
  tab.ws.close()
  await second.app.close()
})

t.test('after a restart the idle deadline counts from the persisted last activity', async (t) => {
  const dir = t.testdir({})
  const limits = { idleWarnMs: 300, idleKickMs: 3000 }
  const first = await startServer(t, limits, dir)
  const quiet = await signUp(first, 'alice')
  const loginAt = Date.now()
  await first.app.close()
  // Down for most of the idle time: a clock restarted at start-up would end it a second too late.
  await sleep(1500)
  const second = await startServer(t, limits, dir)
  t.equal((await request(second, 'GET', '/api/me', { cookie: quiet })).status, 200, 'still live after the restart')
  let endedAfter = 0
  for (let i = 0; i < 200; i++) {
    if ((await request(second, 'GET', '/api/me', { cookie: quiet })).status === 401) {
      endedAfter = Date.now() - loginAt
      break
    }
    await sleep(50)
  }
  t.ok(endedAfter >= 3000 - 5 && endedAfter < 3000 + 1200, `ended ${endedAfter} ms after its last activity, downtime included`)
  await second.app.close()
})

t.test('a session that went idle past IDLE_KICK_MS while the server was down is ended at start', async (t) => {
  const dir = t.testdir({})
  // A slow sweep (250 ms): the session must be refused before the first one runs.
  const limits = { idleWarnMs: 1000, idleKickMs: 2000 }
  const first = await startServer(t, limits, dir)
  const cookie = await signUp(first, 'alice')
  await first.app.close()
  await sleep(2100)
  // Asked in-process right after start-up, before the first sweep could run.
  const second = await buildApp(testConfig(dir, limits), await loadTlsMaterial(testConfig(dir, limits)))
  await second.ready()
  t.equal((await second.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode, 401)
  await second.close()
})

t.test('a corrupt sessions.json stops start-up with a clear message and is left untouched', async (t) => {
  const cases: [string, string][] = [
    ['not JSON', '{"version":1,"sess'],
    ['wrong shape', '{"version":2,"sessions":[]}'],
    ['malformed record', '{"version":1,"sessions":[{"id":"x"}]}']
  ]
  for (const [what, text] of cases) {
    const dir = t.testdir({ 'sessions.json': text })
    await t.rejects(startServer(t, {}, dir), /session registry .*sessions\.json .*left untouched/, what)
    t.equal(readFileSync(join(dir, 'sessions.json'), 'utf8'), text, `${what}: file unchanged`)
  }
})

t.test('the file holds no bearer token; creates and ends are durable when they resolve; activity is flushed lazily', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'sessions.json')
  let writes = 0
  const opts = { ttlMs: 60_000, flushEveryMs: 100_000 }
  const reg = await openJsonSessionRegistry(file, {
    ...opts,
    writeFile: async (f, data) => {
      writes++
      writeFileSync(f, data, { mode: 0o600 })
    }
  })
  writes = 0
  const created = await Promise.all(Array.from({ length: 20 }, () => reg.create('alice', META)))
  t.ok(writes >= 1 && writes <= 3, `20 concurrent creates took ${writes} writes (group commit)`)
  const text = readFileSync(file, 'utf8')
  for (const { token } of created) t.notOk(text.includes(token), 'no token on disk')
  t.ok(text.includes(created[0]!.session.id), 'its hash is')
  await reg.end(created[0]!.session.id, 'logout')
  t.notOk(readFileSync(file, 'utf8').includes(created[0]!.session.id), 'an end is on disk when end() resolves')
  const before = writes
  reg.touch(created[1]!.session.id, Date.now() + 5000)
  t.equal(writes, before, 'a touch does not write')
  await reg.close()
  t.equal(writes, before + 1, 'close flushes the activity')
  const again = await openJsonSessionRegistry(file, opts)
  t.ok((await again.get(created[1]!.token))!.lastActive > created[1]!.session.createdAt, 'lastActive came back')
  t.equal(await again.get(created[0]!.token), undefined, 'ended stays ended')
  t.equal((await again.list('alice')).length, 19)
  await again.close()
})
