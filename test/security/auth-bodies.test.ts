// Wrong-typed, malformed and oversized fields in every auth route's body: a stable 4xx,
// never a 500, nothing stored, and the server keeps serving.
import t from 'tap'
import fc from 'fast-check'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildTestApp, PASSWORD, request, signUp } from '../helpers/app.js'

const ROUTES = ['/api/register', '/api/login']
const big = (n: number) => 'x'.repeat(n)

// [name, raw body or value, status, code]
const CASES: [string, { body?: unknown; raw?: string; headers?: Record<string, string> }, number, string][] = [
  ['username a number', { body: { username: 12345, password: PASSWORD } }, 400, 'invalid_request'],
  ['username null', { body: { username: null, password: PASSWORD } }, 400, 'invalid_request'],
  ['username an array', { body: { username: ['alice'], password: PASSWORD } }, 400, 'invalid_request'],
  ['username an object', { body: { username: { $ne: '' }, password: PASSWORD } }, 400, 'invalid_request'],
  ['username a boolean', { body: { username: true, password: PASSWORD } }, 400, 'invalid_request'],
  ['password a number', { body: { username: 'alice', password: 12345678 } }, 400, 'invalid_request'],
  ['password an object', { body: { username: 'alice', password: { toString: 'x' } } }, 400, 'invalid_request'],
  ['password an array', { body: { username: 'alice', password: [PASSWORD] } }, 400, 'invalid_request'],
  ['password missing', { body: { username: 'alice' } }, 400, 'invalid_request'],
  ['username missing', { body: { password: PASSWORD } }, 400, 'invalid_request'],
  ['extra field', { body: { username: 'alice', password: PASSWORD, admin: true } }, 400, 'invalid_request'],
  ['__proto__ field', { raw: `{"username":"alice","password":"${PASSWORD}","__proto__":{"admin":true}}` }, 400, 'invalid_request'],
  ['body an array', { body: [{ username: 'alice', password: PASSWORD }] }, 400, 'invalid_request'],
  ['body a string', { body: 'alice' }, 400, 'invalid_request'],
  ['body null', { raw: 'null' }, 400, 'invalid_request'],
  ['no body', { headers: { 'content-type': 'application/json' }, raw: '' }, 400, 'invalid_request'],
  ['truncated JSON', { raw: '{"username":"al' }, 400, 'invalid_request'],
  ['username of 257 characters', { body: { username: big(257), password: PASSWORD } }, 400, 'invalid_request'],
  ['password of 1025 characters', { body: { username: 'alice', password: big(1025) } }, 400, 'invalid_request'],
  ['body over 16 KiB', { body: { username: 'alice', password: big(17_000) } }, 413, 'invalid_request'],
  ['form-encoded body', { raw: 'username=alice&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'invalid_request'],
  ['text/plain body (a simple cross-site form)', { raw: `{"username":"alice","password":"${PASSWORD}"}`, headers: { 'content-type': 'text/plain' } }, 400, 'invalid_request']
]

for (const path of ROUTES) {
  t.test(`POST ${path}: wrong-typed, malformed and oversized bodies get a stable 4xx and store nothing`, async (t) => {
    const server = await buildTestApp(t)
    for (const [name, opts, status, code] of CASES) {
      const res = await request(server, 'POST', path, opts)
      t.equal(res.status, status, name)
      t.equal(res.body?.code, code, name)
      t.type(res.body?.message, 'string', name)
      t.notOk(res.headers['set-cookie'], `${name}: no session`)
    }
    // Within the schema but outside the rules: the rules' own codes (register) or the same 401 (login).
    const rules: [string, unknown, number, string][] = [
      ['username of 33 letters', { username: big(33), password: PASSWORD }, 400, 'invalid_username'],
      ['password of 129 characters', { username: 'alice', password: big(129) }, 400, 'invalid_password'],
      ['lone surrogate in username', { username: 'al\ud800ice', password: PASSWORD }, 400, 'invalid_username'],
      ['NUL in username', { username: 'al\u0000ice', password: PASSWORD }, 400, 'invalid_username']
    ]
    for (const [name, body, status, code] of rules) {
      const res = await request(server, 'POST', path, { body })
      if (path === '/api/login') t.match(res, { status: 401, body: { code: 'invalid_credentials' } }, name)
      else t.match(res, { status, body: { code } }, name)
    }
    const store = JSON.parse(await readFile(join(server.dataDir, 'users.json'), 'utf8'))
    t.same(Object.keys(store.users), [], 'nothing was stored')
    t.ok(await signUp(server, 'alice'), 'the server still serves')
  })
}

t.test('POST /api/logout: oversized or malformed bodies are refused; a session is not ended by them', async (t) => {
  const server = await buildTestApp(t)
  const cookie = await signUp(server, 'alice')
  const huge = await request(server, 'POST', '/api/logout', { cookie, body: { x: big(17_000) } })
  t.match(huge, { status: 413, body: { code: 'invalid_request' } })
  const bad = await request(server, 'POST', '/api/logout', { cookie, raw: '{"x":' })
  t.match(bad, { status: 400, body: { code: 'invalid_request' } })
  t.equal((await request(server, 'GET', '/api/me', { cookie })).status, 200, 'still logged in')
})

t.test('any JSON value as a body: a 4xx with a code, never a 500 (property test)', async (t) => {
  const server = await buildTestApp(t)
  const field = fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 2 }))
  const body = fc.oneof(fc.record({ username: field, password: field }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 3 }))
  const seen = new Set<number>()
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...ROUTES), body, async (path, value) => {
      const res = await request(server, 'POST', path, { raw: JSON.stringify(value) ?? 'null' })
      seen.add(res.status)
      return res.status >= 400 && res.status < 500 && typeof res.body?.code === 'string' && res.body.code !== 'internal'
    }),
    { numRuns: 150 }
  )
  t.comment(`statuses seen: ${[...seen].sort().join(', ')}`)
  t.ok(true, '150 random bodies answered with a coded 4xx')
})
