// Response headers that close browser-side doors: a deny-all Permissions-Policy on every
// response, and a session cookie with the __Host- prefix (Secure, Path=/, no Domain).
import t from 'tap'
import { PERMISSIONS_POLICY } from '../../app.js'
import { HELMET_OPTIONS, helmetHeaders } from '../../plugins/external/security-headers.js'
import { connect, PASSWORD, request, signUp } from '../helpers/clients.js'
import { startServer } from '../helpers/server.js'
// The cookie test checks HTTP answers alone: it runs on the app through fastify.inject (helpers/app.ts).
import * as app from '../helpers/app.js'

t.test('every response carries the deny-all Permissions-Policy: page, API success and errors, 404, refused upgrade', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'alice')
  const responses = {
    'GET / (the page)': await request(server, 'GET', '/'),
    'GET /api/me 200': await request(server, 'GET', '/api/me', { cookie }),
    'GET /api/me 401': await request(server, 'GET', '/api/me'),
    'POST /api/login 400': await request(server, 'POST', '/api/login', { raw: '{' }),
    'POST /api/login 403 (foreign origin)': await request(server, 'POST', '/api/login', { body: {}, headers: { origin: 'https://evil.example' } }),
    'GET /nowhere 404': await request(server, 'GET', '/nowhere'),
    'GET /ws 426': await request(server, 'GET', '/ws', { cookie })
  }
  for (const [name, res] of Object.entries(responses)) t.equal(res.headers['permissions-policy'], PERMISSIONS_POLICY, name)
  const upgrade = {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    origin: 'https://evil.example'
  }
  const refused = await request(server, 'GET', '/ws', { cookie, headers: upgrade })
  t.equal(refused.status, 403)
  t.equal(refused.headers['permissions-policy'], PERMISSIONS_POLICY, 'GET /ws upgrade refused 403')
  for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'browsing-topics']) {
    t.match(PERMISSIONS_POLICY, new RegExp(`(^|, )${feature}=\\(\\)(,|$)`), `${feature} is denied to every origin`)
  }
})

t.test('the session cookie is __Host-parley: Secure, Path=/, no Domain, HttpOnly, SameSite=Strict', async (t) => {
  const server = await app.buildTestApp(t)
  await app.signUp(server, 'alice')
  const login = await app.request(server, 'POST', '/api/login', { body: { username: 'alice', password: PASSWORD } })
  const setCookie = String(login.headers['set-cookie'])
  t.match(setCookie, /^__Host-parley=[^;]+;/)
  for (const attr of [/; Secure(;|$)/i, /; Path=\/(;|$)/, /; HttpOnly(;|$)/i, /; SameSite=Strict(;|$)/i]) t.match(setCookie, attr)
  t.notMatch(setCookie, /; Domain=/i, 'no Domain: the cookie stays on this exact host')
  t.equal((await app.request(server, 'GET', '/api/me', { cookie: login.cookie! })).status, 200, 'and it is the session')
  t.equal((await app.request(server, 'GET', '/api/me', { cookie: login.cookie!.replace('__Host-parley', 'parley') })).status, 401, 'the unprefixed name is not read')
})

t.test('the helmet headers, computed once at start, are on every response, a refused upgrade included', async (t) => {
  const expected = helmetHeaders(HELMET_OPTIONS)
  t.match(expected['content-security-policy'], /frame-ancestors 'none'/)
  t.equal(expected['strict-transport-security'], 'max-age=31536000; includeSubDomains')
  t.equal(expected['x-content-type-options'], 'nosniff')
  const server = await startServer(t)
  const cookie = await signUp(server, 'alice')
  const upgrade = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }
  const responses = {
    'GET /': await request(server, 'GET', '/'),
    'GET /api/me 401': await request(server, 'GET', '/api/me'),
    'GET /nowhere 404': await request(server, 'GET', '/nowhere'),
    'GET /ws 426': await request(server, 'GET', '/ws', { cookie }),
    // Last: the server closes the connection of a refused upgrade.
    'GET /ws upgrade refused 403': await request(server, 'GET', '/ws', { cookie, headers: { ...upgrade, origin: 'https://evil.example' } })
  }
  for (const [name, res] of Object.entries(responses)) {
    for (const [header, value] of Object.entries(expected)) t.equal(res.headers[header], value, `${name}: ${header}`)
  }
})
