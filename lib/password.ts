// Password hashing with scrypt (run on libuv's thread pool) and verification of scrypt and legacy records.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import type { PasswordHash } from './user-store.js'

// scrypt cost parameters, stored in each record so they can be raised later.
export interface ScryptParams {
  N: number
  r: number
  p: number
}

// What a check found: whether the password matched, and whether the record should be re-hashed now.
export interface VerifyResult {
  ok: boolean
  rehash: boolean
}

// Cost for new hashes: about 128 MiB and a few hundred ms per hash.
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = Object.freeze({ N: 2 ** 17, r: 8, p: 1 })

const SALT_BYTES = 16
const KEY_BYTES = 64
const LEGACY_HEX = /^[0-9a-f]{64}$/i

function deriveKey(password: string, salt: Buffer, keylen: number, { N, r, p }: ScryptParams): Promise<Buffer> {
  // scrypt needs about 128 * N * r bytes; Node's default cap (32 MiB) is too low for N = 2^17.
  const maxmem = Math.max(32 * 1024 * 1024, 256 * N * r)
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)))
  })
}

function isWeaker(stored: ScryptParams, current: ScryptParams): boolean {
  return stored.N < current.N || stored.r < current.r || stored.p < current.p
}

// Hashes a password with a fresh random salt; the record carries its parameters.
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<PasswordHash> {
  const salt = randomBytes(SALT_BYTES)
  const key = await deriveKey(password, salt, KEY_BYTES, params)
  return { alg: 'scrypt', N: params.N, r: params.r, p: params.p, salt: salt.toString('base64'), hash: key.toString('base64') }
}

// Checks a password against a stored record in constant time; rehash is true when ok and the record is legacy or weaker than currentParams.
export async function verifyPassword(
  password: string,
  stored: PasswordHash,
  currentParams: ScryptParams = DEFAULT_SCRYPT_PARAMS
): Promise<VerifyResult> {
  if (stored.alg === 'sha256-legacy') {
    const actual = createHash('sha256').update(password, 'utf8').digest()
    const expected = LEGACY_HEX.test(stored.hash) ? Buffer.from(stored.hash, 'hex') : Buffer.alloc(actual.length)
    const ok = timingSafeEqual(actual, expected) && LEGACY_HEX.test(stored.hash)
    if (ok) return { ok: true, rehash: true }
    // A failed legacy check costs one scrypt, like every other failed login.
    await burnPasswordCheck(password, currentParams)
    return { ok: false, rehash: false }
  }
  const expected = Buffer.from(stored.hash, 'base64')
  const actual = await deriveKey(password, Buffer.from(stored.salt, 'base64'), expected.length || KEY_BYTES, stored)
  const ok = expected.length === actual.length && timingSafeEqual(actual, expected)
  return { ok, rehash: ok && (isWeaker(stored, currentParams) || expected.length < KEY_BYTES) }
}

// Spends the time of a real check for a user that does not exist, so login answers alike either way; never ok.
export async function burnPasswordCheck(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<VerifyResult> {
  await deriveKey(password, randomBytes(SALT_BYTES), KEY_BYTES, params)
  return { ok: false, rehash: false }
}
