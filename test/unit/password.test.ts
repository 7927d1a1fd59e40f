import { createHash } from 'node:crypto'
import t from 'tap'
import { burnPasswordCheck, DEFAULT_SCRYPT_PARAMS, hashPassword, verifyPassword, type ScryptParams } from '../../lib/accounts/password.js'
import type { PasswordHash } from '../../lib/accounts/ports.js'

const FAST: ScryptParams = { N: 1024, r: 8, p: 1 }
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')

t.test('a hashed password verifies, a wrong one does not', async (t) => {
  const stored = await hashPassword('correct horse', FAST)
  t.same(await verifyPassword('correct horse', stored, FAST), { ok: true, rehash: false })
  t.same(await verifyPassword('correct hors', stored, FAST), { ok: false, rehash: false })
  t.same(await verifyPassword('Correct horse', stored, FAST), { ok: false, rehash: false })
})

t.test('the record carries its parameters, a 16-byte salt and a 64-byte key', async (t) => {
  const stored = await hashPassword('päss wörd 😀', { N: 2048, r: 4, p: 2 })
  if (stored.alg !== 'scrypt') throw new Error('expected an scrypt record')
  t.match(stored, { alg: 'scrypt', N: 2048, r: 4, p: 2 })
  t.equal(Buffer.from(stored.salt, 'base64').length, 16)
  t.equal(Buffer.from(stored.hash, 'base64').length, 64)
  t.same(await verifyPassword('päss wörd 😀', stored, { N: 2048, r: 4, p: 2 }), { ok: true, rehash: false })
})

t.test('the same password hashes differently each time (random salt)', async (t) => {
  const [a, b] = await Promise.all([hashPassword('same password', FAST), hashPassword('same password', FAST)])
  if (a.alg !== 'scrypt' || b.alg !== 'scrypt') throw new Error('expected scrypt records')
  t.not(a.salt, b.salt)
  t.not(a.hash, b.hash)
})

t.test('a record weaker than the current parameters verifies with its own and asks for a rehash', async (t) => {
  const stored = await hashPassword('correct horse', FAST)
  t.same(await verifyPassword('correct horse', stored, { N: 2048, r: 8, p: 1 }), { ok: true, rehash: true })
  t.same(await verifyPassword('correct horse', stored, { N: 1024, r: 8, p: 2 }), { ok: true, rehash: true })
  t.same(await verifyPassword('wrong horse', stored, { N: 2048, r: 8, p: 1 }), { ok: false, rehash: false })
  // A record stronger than current is kept.
  t.same(await verifyPassword('correct horse', stored, { N: 512, r: 8, p: 1 }), { ok: true, rehash: false })
})

t.test('a legacy sha256 record verifies in either case of hex and always asks for a rehash', async (t) => {
  const stored: PasswordHash = { alg: 'sha256-legacy', hash: sha256('old password') }
  t.same(await verifyPassword('old password', stored, FAST), { ok: true, rehash: true })
  t.same(await verifyPassword('old password', { alg: 'sha256-legacy', hash: sha256('old password').toUpperCase() }, FAST), {
    ok: true,
    rehash: true
  })
  t.same(await verifyPassword('old passwort', stored, FAST), { ok: false, rehash: false })
})

t.test('a malformed legacy or scrypt record never verifies', async (t) => {
  t.same(await verifyPassword('', { alg: 'sha256-legacy', hash: '' }, FAST), { ok: false, rehash: false })
  t.same(await verifyPassword('x', { alg: 'sha256-legacy', hash: 'zz'.repeat(32) }, FAST), { ok: false, rehash: false })
  const good = await hashPassword('correct horse', FAST)
  if (good.alg !== 'scrypt') throw new Error('expected an scrypt record')
  t.same(await verifyPassword('correct horse', { ...good, hash: '' }, FAST), { ok: false, rehash: false })
})

t.test('burnPasswordCheck spends a hash and never succeeds', async (t) => {
  t.same(await burnPasswordCheck('anything', FAST), { ok: false, rehash: false })
})

t.test('the default parameters (N=2^17) hash and verify within the memory cap', async (t) => {
  t.same(DEFAULT_SCRYPT_PARAMS, { N: 2 ** 17, r: 8, p: 1 })
  const stored = await hashPassword('correct horse battery staple')
  t.match(stored, { alg: 'scrypt', N: 2 ** 17, r: 8, p: 1 })
  t.same(await verifyPassword('correct horse battery staple', stored, DEFAULT_SCRYPT_PARAMS), { ok: true, rehash: false })
})
