import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { runUntilKilled } from '../helpers/server-process.js'
import { writeFileAtomic } from '../../lib/shared/atomic-file.js'
import { openJsonUserStore } from '../../lib/accounts/json-user-store.js'
import { UnknownUserError, UsernameTakenError, type UserRecord } from '../../lib/accounts/ports.js'

function user(username: string, hash = 'a'.repeat(64)): UserRecord {
  const now = new Date().toISOString()
  return { username, password: { alg: 'sha256-legacy', hash }, createdAt: now, updatedAt: now }
}

async function readStore(file: string): Promise<{ version: number; users: Record<string, UserRecord> }> {
  return JSON.parse(await readFile(file, 'utf8'))
}

t.test('a missing file opens as an empty store, created at open: dir 0700, file 0600', async (t) => {
  const dir = path.join(t.testdir(), 'data')
  const file = path.join(dir, 'users.json')
  const store = await openJsonUserStore(file)
  t.equal(await store.countUsers(), 0)
  t.same(await readStore(file), { version: 1, users: {} })
  t.equal((await stat(dir)).mode & 0o777, 0o700)
  t.equal((await stat(file)).mode & 0o777, 0o600)
  await store.close()
})

t.test('created users are found case-insensitively, updated, and survive a reopen', async (t) => {
  const file = path.join(t.testdir(), 'users.json')
  const store = await openJsonUserStore(file)
  await store.createUser(user('Alice'))
  await store.createUser(user('José'))
  t.equal((await store.findUser('alice'))?.username, 'Alice')
  t.equal((await store.findUser('ALICE'))?.username, 'Alice')
  t.equal((await store.findUser('JOSE\u0301'))?.username, 'José')
  t.equal(await store.findUser('bob'), undefined)

  await store.updateUser(user('alice', 'b'.repeat(64)))
  t.same((await store.findUser('Alice'))?.password, { alg: 'sha256-legacy', hash: 'b'.repeat(64) })
  t.ok((await store.updateUser(user('bob')).catch((e: unknown) => e)) instanceof UnknownUserError, 'unknown_user')
  await store.close()

  const reopened = await openJsonUserStore(file)
  t.equal(await reopened.countUsers(), 2)
  t.same((await reopened.findUser('ALICE'))?.password, { alg: 'sha256-legacy', hash: 'b'.repeat(64) })
  t.same(Object.keys((await readStore(file)).users).sort(), ['alice', 'josé'])
  t.equal((await stat(file)).mode & 0o777, 0o600)
  await reopened.close()
})

t.test('records handed out are copies: changing one does not change the store', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  const record = user('alice')
  await store.createUser(record)
  record.username = 'mallory'
  const found = await store.findUser('alice')
  if (!found) throw new Error('alice not found')
  found.username = 'mallory'
  t.equal((await store.findUser('alice'))?.username, 'alice')
  await store.close()
})

t.test('a name taken in another case or normalisation is refused with username_taken', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  await store.createUser(user('Alice'))
  t.ok((await store.createUser(user('alice')).catch((e: unknown) => e)) instanceof UsernameTakenError, 'username_taken')
  await t.rejects(store.createUser(user('ALICE')), { code: 'username_taken' })
  await store.createUser(user('José'))
  await t.rejects(store.createUser(user('jose\u0301')), { code: 'username_taken' })
  t.equal(await store.countUsers(), 2)
  await store.close()
})

t.test('concurrent "Alice" and "alice" registrations: exactly one wins', async (t) => {
  const file = path.join(t.testdir(), 'users.json')
  const store = await openJsonUserStore(file)
  const results = await Promise.allSettled([store.createUser(user('Alice')), store.createUser(user('alice'))])
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'rejected']
  )
  const loser = results[1]
  t.ok(loser?.status === 'rejected' && loser.reason instanceof UsernameTakenError)
  await store.close()
  t.same(Object.keys((await readStore(file)).users), ['alice'])
})

t.test('200 concurrent registrations are all saved in far fewer than 200 writes', async (t) => {
  const file = path.join(t.testdir(), 'users.json')
  const writes: number[] = []
  const store = await openJsonUserStore(file, { onWrite: (changes) => writes.push(changes) })
  const names = Array.from({ length: 200 }, (_, i) => `user_${i}`)
  await Promise.all(names.map((name) => store.createUser(user(name))))
  t.ok(writes.length <= 5, `${writes.length} writes`)
  t.equal(writes.reduce((a, b) => a + b, 0), 200)
  await store.close()

  const users = (await readStore(file)).users
  t.equal(Object.keys(users).length, 200)
  t.ok(names.every((name) => users[name]?.username === name))
  const reopened = await openJsonUserStore(file)
  t.equal(await reopened.countUsers(), 200)
  await reopened.close()
})

t.test('a caller that registers again as soon as it is acknowledged gets a new write', async (t) => {
  const file = path.join(t.testdir(), 'users.json')
  const store = await openJsonUserStore(file)
  for (let i = 0; i < 20; i++) await store.createUser(user(`seq_${i}`))
  t.equal(Object.keys((await readStore(file)).users).length, 20)
  await store.close()
})

t.test('a user named "__proto__" is stored like any other', async (t) => {
  const file = path.join(t.testdir(), 'users.json')
  const store = await openJsonUserStore(file)
  await store.createUser(user('__proto__'))
  await store.close()
  const reopened = await openJsonUserStore(file)
  t.equal((await reopened.findUser('__PROTO__'))?.username, '__proto__')
  t.equal(await reopened.countUsers(), 1)
  await reopened.close()
})

t.test('an unreadable or corrupt file is refused, named, and left byte for byte', async (t) => {
  const dir = t.testdir()
  const corrupt: Record<string, string> = {
    'bad-json.json': '{"version":1,"users":{',
    'empty.json': '',
    'array.json': '[]',
    'version-2.json': '{"version":2,"users":{}}',
    'no-users.json': '{"version":1}',
    'bad-record.json': '{"version":1,"users":{"alice":{"username":"alice"}}}',
    'bad-alg.json': JSON.stringify({ version: 1, users: { alice: { ...user('alice'), password: { alg: 'md5', hash: 'x' } } } }),
    'wrong-key.json': JSON.stringify({ version: 1, users: { bob: user('alice') } }),
    'unfolded-key.json': JSON.stringify({ version: 1, users: { Alice: user('Alice') } })
  }
  for (const [name, contents] of Object.entries(corrupt)) {
    const file = path.join(dir, name)
    await writeFile(file, contents)
    const err = await openJsonUserStore(file).then(
      () => undefined,
      (e: unknown) => e
    )
    t.ok(err instanceof Error, `${name} rejected`)
    t.match((err as Error).message, file, `${name}: message names the file`)
    t.match((err as Error).message, /left untouched/)
    t.equal(await readFile(file, 'utf8'), contents, `${name} unchanged`)
  }
  // A directory where the file should be cannot be read.
  const asDir = path.join(dir, 'dir.json')
  await mkdir(asDir)
  const err = await openJsonUserStore(asDir).then(
    () => undefined,
    (e: unknown) => e
  )
  t.ok(err instanceof Error && err.message.includes(asDir) && err.message.includes('cannot be read'), String(err))
})

t.test('a failed write rolls back its changes, and those queued behind it, and rejects them', async (t) => {
  const file = path.join(t.testdir(), 'users.json')
  let failNext = false
  let release: () => void = () => {}
  const store = await openJsonUserStore(file, {
    writeFile: async (target, data) => {
      if (!failNext) return writeFileAtomic(target, data)
      failNext = false
      // Hold the failing write open so that another change queues behind it.
      await new Promise<void>((resolve) => (release = resolve))
      throw new Error('disk full (injected)')
    }
  })
  await store.createUser(user('kept'))
  failNext = true
  const first = store.createUser(user('alice'))
  const firstUpdate = store.updateUser(user('kept', 'c'.repeat(64)))
  await new Promise((resolve) => setTimeout(resolve, 20))
  // Made on top of the failing write's state: queued for the next write.
  const queued = store.updateUser(user('ALICE', 'b'.repeat(64)))
  const checks = Promise.all([
    t.rejects(first, { message: /could not write user store .*disk full \(injected\)/ }),
    t.rejects(firstUpdate, /disk full/),
    t.rejects(queued, /disk full/)
  ])
  release()
  await checks
  t.equal(await store.findUser('alice'), undefined)
  t.same((await store.findUser('kept'))?.password, user('kept').password)
  t.equal(await store.countUsers(), 1)

  // The store keeps working, and the name is free again.
  await store.createUser(user('alice'))
  await store.close()
  t.same(Object.keys((await readStore(file)).users).sort(), ['alice', 'kept'])
})

t.test('a real write failure (data dir removed) rejects and rolls back', async (t) => {
  const dir = path.join(t.testdir(), 'data')
  const store = await openJsonUserStore(path.join(dir, 'users.json'))
  await store.createUser(user('alice'))
  await rm(dir, { recursive: true })
  await t.rejects(store.createUser(user('bob')), { message: /could not write user store .*ENOENT/ })
  t.equal(await store.findUser('bob'), undefined)
  t.equal(await store.countUsers(), 1)
  await store.close()
})

t.test('close waits for pending writes; writes after close are refused', async (t) => {
  const file = path.join(t.testdir(), 'users.json')
  const store = await openJsonUserStore(file)
  const pending = store.createUser(user('late'))
  await store.close()
  await pending
  t.ok((await readStore(file)).users.late)
  await t.rejects(store.createUser(user('after')), /closed/)
  await t.rejects(store.updateUser(user('late')), /closed/)
})

t.test('kill -9 at a random moment loses no acknowledged user and leaves a valid file', async (t) => {
  const base = t.testdir()
  for (let round = 0; round < 3; round++) {
    const file = path.join(base, `round-${round}`, 'users.json')
    const acked = await runUntilKilled('create-users.ts', [file], 100 + Math.random() * 300)
    t.ok(acked.length > 0, `round ${round}: ${acked.length} acknowledged before the kill`)
    const users = (await readStore(file)).users
    const missing = acked.filter((name) => users[name]?.username !== name)
    t.same(missing, [], `round ${round}: every acknowledged user is in the file`)
    const reopened = await openJsonUserStore(file)
    t.ok((await reopened.countUsers()) >= acked.length)
    await reopened.close()
    // Reopening removed any temp file the kill left behind.
    t.same(await readdir(path.dirname(file)), ['users.json'])
  }
})

