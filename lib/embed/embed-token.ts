// Signed identities from embedding sites: `<payload>.<signature>`, both base64url, where the
// payload is JSON {user, exp} (exp in seconds since the epoch) and the signature is
// HMAC-SHA256 of the payload part under the site's secret. Nothing else is accepted.
import { createHmac, timingSafeEqual } from 'node:crypto'

export type EmbedTokenResult =
  | { ok: true; user: string; exp: number }
  | { ok: false; code: 'token_invalid' | 'token_expired' }

/** Site user ids: 1-64 of letters, digits, `_ . -` (what a site's own login would use). */
const SITE_USER = /^[A-Za-z0-9_.-]{1,64}$/
/** `guest-...@site` names the site's anonymous guests: no signed user may look like one. */
const GUEST_PREFIX = /^guest-/i
/** A token longer than this is not one of ours; refused before any hashing. */
export const MAX_TOKEN_LENGTH = 512
/** Tokens may not be valid for longer than this: a leaked one is useless soon. */
export const MAX_TOKEN_LIFETIME_S = 24 * 3600

const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest()

/** Makes a token (what a site's backend does; used by tests and the demo). */
export function signEmbedToken(user: string, exp: number, secret: string): string {
  const payload = Buffer.from(JSON.stringify({ user, exp })).toString('base64url')
  return `${payload}.${sign(payload, secret).toString('base64url')}`
}

/** Checks a token against one site's secret at time `nowMs`. */
export function verifyEmbedToken(token: unknown, secret: string, nowMs = Date.now()): EmbedTokenResult {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, code: 'token_invalid' }
  const [payload, signature, extra] = token.split('.')
  if (!payload || !signature || extra !== undefined) return { ok: false, code: 'token_invalid' }
  const expected = sign(payload, secret)
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, code: 'token_invalid' }
  let claims: unknown
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return { ok: false, code: 'token_invalid' }
  }
  const { user, exp } = (claims ?? {}) as { user?: unknown; exp?: unknown }
  if (typeof user !== 'string' || !SITE_USER.test(user) || GUEST_PREFIX.test(user) || typeof exp !== 'number' || !Number.isInteger(exp)) {
    return { ok: false, code: 'token_invalid' }
  }
  const now = Math.floor(nowMs / 1000)
  if (exp <= now) return { ok: false, code: 'token_expired' }
  if (exp > now + MAX_TOKEN_LIFETIME_S) return { ok: false, code: 'token_invalid' }
  return { ok: true, user, exp }
}
