import t from 'tap'
import { signEmbedToken, verifyEmbedToken } from '../../lib/embed/embed-token.js'

const SECRET = 'shop-secret-0123456789abcdef0123456789'
const NOW = 1_800_000_000_000
const inAnHour = NOW / 1000 + 3600

t.test('a token signed with the site secret names its user', async (t) => {
  t.same(verifyEmbedToken(signEmbedToken('u-42', inAnHour, SECRET), SECRET, NOW), { ok: true, user: 'u-42', exp: inAnHour })
})

t.test('expired, tampered, wrong-site, malformed and overlong tokens are refused', async (t) => {
  const good = signEmbedToken('alice', inAnHour, SECRET)
  t.same(verifyEmbedToken(signEmbedToken('alice', NOW / 1000 - 1, SECRET), SECRET, NOW), { ok: false, code: 'token_expired' })
  t.same(verifyEmbedToken(good, SECRET, (inAnHour + 1) * 1000), { ok: false, code: 'token_expired' }, 'replayed after expiry')
  const [payload, signature] = good.split('.')
  const forged = Buffer.from(JSON.stringify({ user: 'admin', exp: inAnHour })).toString('base64url')
  t.same(verifyEmbedToken(`${forged}.${signature}`, SECRET, NOW), { ok: false, code: 'token_invalid' }, 'payload swapped')
  t.same(verifyEmbedToken(`${payload}.${signature!.slice(0, -2)}AA`, SECRET, NOW), { ok: false, code: 'token_invalid' }, 'signature changed')
  t.same(verifyEmbedToken(signEmbedToken('alice', inAnHour, 'other-site-secret-0123456789abcdef'), SECRET, NOW), { ok: false, code: 'token_invalid' }, 'another site')
  for (const bad of ['', 'abc', 'a.b.c', `${good}.x`, 'x'.repeat(600), 42, null]) {
    t.same(verifyEmbedToken(bad, SECRET, NOW), { ok: false, code: 'token_invalid' }, `malformed ${JSON.stringify(bad)?.slice(0, 20)}`)
  }
  t.same(verifyEmbedToken(signEmbedToken('a b', inAnHour, SECRET), SECRET, NOW), { ok: false, code: 'token_invalid' }, 'user id outside the allowed characters')
  t.same(verifyEmbedToken(signEmbedToken('alice', NOW / 1000 + 7 * 86400, SECRET), SECRET, NOW), { ok: false, code: 'token_invalid' }, 'lifetime over a day')
})
