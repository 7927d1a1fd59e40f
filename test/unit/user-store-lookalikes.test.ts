// The JSON store's look-alike index: confusables are taken atomically; older stores load unchanged.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { openJsonUserStore } from '../../lib/accounts/json-user-store.js'
import { usernameKey } from '../../lib/accounts/credentials.js'
import { UsernameTakenError, type UserRecord } from '../../lib/accounts/ports.js'

function user(username: string, hash = 'a'.repeat(64)): UserRecord {
  const now = new Date().toISOString()
  return { username, password: { alg: 'sha256-legacy', hash }, createdAt: now, updatedAt: now }
}
const taken = (p: Promise<void>) => p.then(() => 'created', (e: unknown) => (e instanceof UsernameTakenError ? 'taken' : String(e)))

t.test('createUser refuses a look-alike of a stored name; isTaken says so first', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  await store.createUser(user('alice'))
  for (const name of ['ALICE', '\uff41\uff4c\uff49\uff43\uff45', 'aIice', 'al\u0130ce', '\u0430\u04c0\u0456\u0441\u0435']) {
    t.ok(await store.isTaken(name), `${name} is taken`)
    t.equal(await taken(store.createUser(user(name))), 'taken', name)
  }
  t.notOk(await store.isTaken('alicia'))
  t.equal(await store.countUsers(), 1)
  await store.close()
})

t.test('concurrent createUser of look-alikes: exactly one wins', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  const outcomes = await Promise.all(['alice', 'ALICE', 'aIice', '\uff41\uff4c\uff49\uff43\uff45'].map((n) => taken(store.createUser(user(n)))))
  t.same(outcomes, ['created', 'taken', 'taken', 'taken'])
  await store.close()
})

t.test('findUser: the exact stored spelling, then the NFKC case fold', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  await store.createUser(user('bobby'))
  t.equal((await store.findUser('\uff22\uff2f\uff22\uff22\uff39'))?.username, 'bobby')
  t.equal(await store.findUser('b\u043ebby'), undefined, 'a look-alike does not find the user')
  await store.close()
})

t.test('a failed write releases the claimed name and its skeletons', async (t) => {
  const dir = t.testdir()
  let failNext = false
  const s2 = await openJsonUserStore(path.join(dir, 'users.json'), {
    writeFile: async (file, data) => {
      if (failNext) throw new Error('disk full')
      await writeFile(file, data)
    }
  })
  failNext = true
  t.match(await taken(s2.createUser(user('alice'))), /disk full/)
  failNext = false
  t.notOk(await s2.isTaken('\u0430lice'), 'nothing stays claimed')
  t.equal(await taken(s2.createUser(user('ALICE'))), 'created')
  await s2.close()
})

t.test('a store written under the old rules loads unchanged; its names keep working', async (t) => {
  // Before this rule: NFC names, NFC-lowercase keys, look-alike pairs and now-invalid names allowed.
  const file = path.join(t.testdir(), 'users.json')
  const old = ['alice', '\u0430lice', '\uff41\uff4c\uff49\uff43\uff45', 'admin', 'Carol', 'carol\u0307'.normalize('NFC')]
  await writeFile(file, JSON.stringify({ version: 1, users: Object.fromEntries(old.map((n) => [usernameKey(n), user(n)])) }))
  const store = await openJsonUserStore(file)
  t.equal(await store.countUsers(), old.length)
  for (const name of old) t.equal((await store.findUser(name))?.username, name, `${name} by its own spelling`)
  t.equal((await store.findUser('ALICE'))?.username, 'alice', 'case-insensitive as before')
  t.equal((await store.findUser('\uff21\uff2c\uff29\uff23\uff25'))?.username, '\uff41\uff4c\uff49\uff43\uff45', 'the fullwidth spelling, in another case')
  t.ok(await store.isTaken('aIice'), 'new look-alikes of old names are refused')
  await store.close()
})

t.test('a fold shared by two old names finds neither by the fold (never the wrong user)', async (t) => {
  const file = path.join(t.testdir(), 'users.json')
  const old = ['\uff41\uff4c\uff49\uff43\uff45', '\uff21lice']
  await writeFile(file, JSON.stringify({ version: 1, users: Object.fromEntries(old.map((n) => [usernameKey(n), user(n)])) }))
  const store = await openJsonUserStore(file)
  t.equal(await store.findUser('alice'), undefined)
  t.equal((await store.findUser('\uff21lice'))?.username, '\uff21lice', 'the exact spelling still works')
  await store.close()
})
