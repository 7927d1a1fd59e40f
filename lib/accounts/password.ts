// Password hashing with scrypt (run on libuv's thread pool) and verification of scrypt and legacy records.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import type { PasswordHash } from './ports.js'

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
  // A wrapped legacy record is scrypt over the old hash: the old app's SHA-256 hex stands in for the password.
  const input = stored.alg === 'scrypt-sha256' ? sha256Hex(password) : password
  const expected = Buffer.from(stored.hash, 'base64')
  const actual = await deriveKey(input, Buffer.from(stored.salt, 'base64'), expected.length || KEY_BYTES, stored)
  const ok = expected.length === actual.length && timingSafeEqual(actual, expected)
  const weak = isWeaker(stored, currentParams) || expected.length < KEY_BYTES
  return { ok, rehash: ok && (stored.alg === 'scrypt-sha256' || weak) }
}

// Wraps a legacy SHA-256 hex hash in scrypt, so the bare hash need not be stored; verifyPassword checks it.
export async function wrapLegacyHash(sha256hex: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<PasswordHash> {
  if (!LEGACY_HEX.test(sha256hex)) throw new Error('a legacy hash is 64 hex characters')
  const salt = randomBytes(SALT_BYTES)
  const key = await deriveKey(sha256hex.toLowerCase(), salt, KEY_BYTES, params)
  return { alg: 'scrypt-sha256', N: params.N, r: params.r, p: params.p, salt: salt.toString('base64'), hash: key.toString('base64') }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

// Spends the time of a real check for a user that does not exist, so login answers alike either way; never ok.
export async function burnPasswordCheck(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<VerifyResult> {
  await deriveKey(password, randomBytes(SALT_BYTES), KEY_BYTES, params)
  return { ok: false, rehash: false }
}
