import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { openJsonUserStore } from '../lib/json-user-store.js'
import { importLegacyUsers } from '../lib/legacy-import.js'
import { verifyPassword } from '../lib/password.js'
import type { UserRecord } from '../lib/user-store.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')

t.test('valid entries are imported as legacy records; the rest are skipped with a reason', async (t) => {
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
  const { imported, skipped } = await importLegacyUsers(store, data)
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

  // Stored exactly as given, hash lowercased; nothing renamed.
  t.same((await store.findUser('josé'))?.password, { alg: 'sha256-legacy', hash: sha256('josé password') })
  t.equal((await store.findUser('JOSÉ'))?.username, 'José')
  t.equal(await store.findUser('jose_decomposed'), undefined)
  t.equal(await store.countUsers(), 3)
  await store.close()
})

t.test('an imported user logs in with the old password and is due for a rehash', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  await importLegacyUsers(store, { alice: sha256('old secret 123') })
  const record = (await store.findUser('alice')) as UserRecord
  const params = { N: 1024, r: 8, p: 1 }
  t.same(await verifyPassword('old secret 123', record.password, params), { ok: true, rehash: true })
  t.same(await verifyPassword('old secret 124', record.password, params), { ok: false, rehash: false })
  await store.close()
})

t.test('the first of two case-variants is imported even when an invalid entry precedes it', async (t) => {
  const store = await openJsonUserStore(path.join(t.testdir(), 'users.json'))
  const { imported, skipped } = await importLegacyUsers(store, { Alice: 'bad', alice: sha256('p') })
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
      // Without tap's NODE_OPTIONS: tracking npx's own process for coverage costs seconds per run.
      const options = { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '', DATA_DIR: dataDir }, timeout: 30_000 }
      execFile('npx', ['tsx', 'scripts/import-users.ts', ...args], options, (err, stdout, stderr) =>
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

  await writeFile(path.join(dir, 'bad.json'), '{"alice":')
  const bad = await run([path.join(dir, 'bad.json')])
  t.equal(bad.code, 1)
  t.match(bad.stderr, /cannot read .*bad\.json/)
})
