import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { openJsonUserStore } from '../../lib/accounts/json-user-store.js'
import { importLegacyUsers, wrapStoredLegacyHashes } from '../../lib/accounts/legacy-import.js'
import { verifyPassword, wrapLegacyHash, type ScryptParams } from '../../lib/accounts/password.js'
import type { PasswordHash, UserRecord } from '../../lib/accounts/ports.js'
import { startServer } from '../helpers/server.js'
import { logIn } from '../helpers/clients.js'
import { childEnv } from '../helpers/server-process.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')
const FAST: ScryptParams = { N: 1024, r: 8, p: 1 }

t.test('valid entries are imported as scrypt-wrapped legacy records; the rest are skipped with a reason', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  const now = new Date().toISOString()
  await store.createUser({ username: 'Carol', password: { alg: 'sha256-legacy', hash: sha256('x') }, createdAt: now, updatedAt: now })
  const data = {
    alice: sha256('alice password'),
    José: sha256('josé password').toUpperCase(),
    'Jose\u0301_decomposed': sha256('p'),
    'bob smith': sha256('p'),
    '<b>': sha256('p'),
    ab: sha256('p'),
    dave: 'not-a-hash',
    erin: sha256('p').slice(0, 63),
    ALICE: sha256('other'),
    carol: sha256('p')
  }
  const { imported, skipped } = await importLegacyUsers(store, data, FAST)
  t.same(imported, ['alice', 'José'])
  const reasons = Object.fromEntries(skipped.map((s) => [s.name, s.reason]))
  t.same(Object.keys(reasons).sort(), ['<b>', 'ALICE', 'Jose\u0301_decomposed', 'ab', 'bob smith', 'carol', 'dave', 'erin'].sort())
  t.match(reasons['Jose\u0301_decomposed'], /NFKC/)
  t.match(reasons['bob smith'], /invalid username/)
  t.match(reasons['<b>'], /invalid username/)
  t.match(reasons.ab, /invalid username/)
  t.match(reasons.dave, /64 hex/)
  t.match(reasons.erin, /64 hex/)
  t.match(reasons.ALICE, /duplicate of "alice"/)
  t.match(reasons.carol, /already exists in the store as "Carol"/)

  // Stored wrapped in scrypt, never bare; nothing renamed; the upper-case hex verifies.
  const josé = (await store.findUser('josé'))!.password
  t.match(josé, { alg: 'scrypt-sha256', N: 1024, r: 8, p: 1 })
  t.notMatch(JSON.stringify(josé), new RegExp(sha256('josé password'), 'i'), 'the bare SHA-256 is not stored')
  t.same(await verifyPassword('josé password', josé, FAST), { ok: true, rehash: true })
  t.equal((await store.findUser('JOSÉ'))?.username, 'José')
  t.equal(await store.findUser('jose_decomposed'), undefined)
  t.equal(await store.countUsers(), 3)
  await store.close()
})

t.test('an imported user logs in with the old password and is due for a rehash', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  await importLegacyUsers(store, { alice: sha256('old secret 123') }, FAST)
  const record = (await store.findUser('alice')) as UserRecord
  t.equal(record.password.alg, 'scrypt-sha256')
  t.same(await verifyPassword('old secret 123', record.password, FAST), { ok: true, rehash: true })
  t.same(await verifyPassword('old secret 124', record.password, FAST), { ok: false, rehash: false })
  await store.close()
})

t.test('the first of two case-variants is imported even when an invalid entry precedes it', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  const { imported, skipped } = await importLegacyUsers(store, { Alice: 'bad', alice: sha256('p') }, FAST)
  t.same(imported, ['alice'])
  t.same(skipped, [{ name: 'Alice', reason: 'password hash is not 64 hex characters' }])
  await store.close()
})

t.test('data that is not an object of strings is refused with a clear error', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  for (const data of [null, 'x', 42, [sha256('p')]]) {
    await t.rejects(importLegacyUsers(store, data), /must be a JSON object/)
  }
  await t.rejects(importLegacyUsers(store, { alice: sha256('p'), bob: 7 }), /the value for "bob" is number/)
  // Nothing was imported from the refused data.
  t.equal(await store.countUsers(), 0)
  await store.close()
})

t.test('the CLI imports a file into $DATA_DIR/users.json, reports each name, and exits 1 on bad JSON', async (t) => {
  const dir = t.testdir({ 'legacy.json': JSON.stringify({ alice: sha256('pw'), 'bob smith': sha256('pw'), carol: 'nope' }) })
  const dataDir = path.join(dir, 'data')
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      // tsx without npx (which costs a process and seconds per run), and without tap's NODE_OPTIONS.
      const options = { cwd: ROOT, env: childEnv({ DATA_DIR: dataDir, SCRYPT_COST: '1024' }), timeout: 30_000 }
      execFile(process.execPath, ['--import', 'tsx', 'scripts/import-users.ts', ...args], options, (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })
      )
    })

  const ok = await run([path.join(dir, 'legacy.json')])
  t.equal(ok.code, 0, ok.stderr)
  t.match(ok.stdout, 'imported "alice"')
  t.match(ok.stdout, /skipped "bob smith": invalid username/)
  t.match(ok.stdout, /skipped "carol": password hash is not 64 hex/)
  t.match(ok.stdout, `1 imported, 2 skipped, into ${path.join(dataDir, 'users.json')}`)
  const saved = JSON.parse(await readFile(path.join(dataDir, 'users.json'), 'utf8'))
  t.same(Object.keys(saved.users), ['alice'])
  t.match(saved.users.alice.password, { alg: 'scrypt-sha256', N: 1024 }, 'wrapped with SCRYPT_COST')

  await writeFile(path.join(dir, 'bad.json'), '{"alice":')
  const bad = await run([path.join(dir, 'bad.json')])
  t.equal(bad.code, 1)
  t.match(bad.stderr, /cannot read .*bad\.json/)
})

t.test('bare sha256-legacy records are wrapped in scrypt; a record changed meanwhile is left alone', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  const now = new Date().toISOString()
  for (const name of ['alice', 'bob', 'carol']) {
    await store.createUser({ username: name, password: { alg: 'sha256-legacy', hash: sha256(`${name} pw`) }, createdAt: now, updatedAt: now })
  }
  const changed: PasswordHash = { alg: 'scrypt', N: 1024, r: 8, p: 1, salt: 'AAAA', hash: 'BBBB' }
  const wrapped = await wrapStoredLegacyHashes(store, async (hex) => {
    // bob logs in (or changes password) while his wrap is being computed
    if (hex === sha256('bob pw')) await store.updateUser({ username: 'bob', password: changed, createdAt: now, updatedAt: now })
    return wrapLegacyHash(hex, FAST)
  })
  t.same(wrapped, ['alice', 'carol'])
  t.same((await store.findUser('bob'))!.password, changed, 'the newer record wins')
  for (const name of ['alice', 'carol']) {
    const record = (await store.findUser(name))!
    t.equal(record.password.alg, 'scrypt-sha256')
    t.same(await verifyPassword(`${name} pw`, record.password, FAST), { ok: true, rehash: true })
  }
  await store.close()
})

t.test('a bare legacy record on disk is wrapped at server start; first login re-hashes it to plain scrypt', async (t) => {
  const dir = t.testdir({})
  const file = path.join(dir, 'users.json')
  const now = new Date().toISOString()
  const legacy = { username: 'alice', password: { alg: 'sha256-legacy', hash: sha256('old secret 123') }, createdAt: now, updatedAt: now }
  await writeFile(file, JSON.stringify({ version: 1, users: { alice: legacy } }))
  const server = await startServer(t, {}, dir)
  const read = async () => JSON.parse(await readFile(file, 'utf8')).users.alice.password
  for (let i = 0; i < 200 && (await read()).alg === 'sha256-legacy'; i++) await new Promise((r) => setTimeout(r, 25))
  t.match(await read(), { alg: 'scrypt-sha256', N: 1024 }, 'wrapped on disk without a login')
  t.notMatch(await readFile(file, 'utf8'), sha256('old secret 123'), 'the bare hash is gone from the file')
  t.ok(await logIn(server, 'alice', 'old secret 123'), 'the old password still works')
  t.match(await read(), { alg: 'scrypt', N: 1024 }, 're-hashed to plain scrypt at first login')
  t.ok(await logIn(server, 'alice', 'old secret 123'))
})
