// CSRF on every state-changing route: a table of routes x a table of cross-site requests.
// Adding a state-changing route? Add a row to ROUTES (with `check` proving the refused
// request changed nothing); every case below then runs against it.
import t, { type Test } from 'tap'
import { buildTestApp, PASSWORD, request, signUp, type TestApp } from '../helpers/app.js'
import { type Response } from '../helpers/clients.js'

interface Route {
  method: string
  path: string
  /** The body a legitimate client would send. */
  body?: (n: number) => unknown
  /** Asserts that a refused request had no effect. `n` numbers the attempt, `cookie` is a live session. */
  check: (t: Test, server: TestApp, res: Response, n: number, cookie: string) => Promise<void>
}

const ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/api/register',
    body: (n) => ({ username: `csrf${n}`, password: PASSWORD }),
    check: async (t, server, _res, n) => {
      const login = await request(server, 'POST', '/api/login', { body: { username: `csrf${n}`, password: PASSWORD } })
      t.equal(login.status, 401, 'no account was created')
    }
  },
  {
    method: 'POST',
    path: '/api/login',
    body: () => ({ username: 'alice', password: PASSWORD }),
    check: async (t, _server, res) => {
      t.notOk(res.headers['set-cookie'], 'no session cookie was set')
    }
  },
  {
    method: 'POST',
    path: '/api/logout',
    check: async (t, server, _res, _n, cookie) => {
      t.equal((await request(server, 'GET', '/api/me', { cookie })).status, 200, 'the session is still live')
    }
  }
]

const PARTNER = 'https://partner.example'
// [name, headers, refused?]
const CASES: [string, Record<string, string>, boolean][] = [
  ['foreign Origin', { origin: 'https://evil.example' }, true],
  ['foreign Origin with Sec-Fetch-Site: same-origin (lying)', { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }, true],
  ['Origin: null (sandboxed frame, data: URL)', { origin: 'null' }, true],
  ['sibling subdomain Origin', { origin: 'https://evil.127.0.0.1.nip.io' }, true],
  ['http:// Origin of our own host', { origin: 'http://HOST' }, true],
  ['no Origin, Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, true],
  ['no Origin, Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }, true],
  ['own Origin', { origin: 'https://HOST', 'sec-fetch-site': 'same-origin' }, false],
  ['allowed partner Origin (cross-site by design)', { origin: PARTNER, 'sec-fetch-site': 'cross-site' }, false],
  ['no Origin, Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }, false],
  ['no Origin and no Sec-Fetch-Site (not a browser)', {}, false]
]

for (const route of ROUTES) {
  t.test(`${route.method} ${route.path}: cross-site requests get 403 forbidden_origin and change nothing`, async (t) => {
    const server = await buildTestApp(t, { allowedOrigins: [PARTNER] })
    const cookie = await signUp(server, 'alice')
    const host = new URL(server.origin).host
    let n = 0
    // Refused cases first: an allowed logout would end the session the checks look at.
    for (const [name, rawHeaders, refused] of CASES.toSorted((a, b) => Number(b[2]) - Number(a[2]))) {
      n++
      const headers = Object.fromEntries(Object.entries(rawHeaders).map(([k, v]) => [k, v.replace('HOST', host)]))
      const body = route.body?.(n)
      const res = await request(server, route.method, route.path, { cookie, headers, ...(body === undefined ? {} : { body }) })
      if (refused) {
        t.equal(res.status, 403, name)
        t.equal(res.body?.code, 'forbidden_origin', name)
        await route.check(t, server, res, n, cookie)
      } else {
        t.not(res.status, 403, `${name}: allowed (${res.status})`)
        t.ok(res.status < 400, `${name}: succeeds (${res.status} ${JSON.stringify(res.body)})`)
      }
    }
  })
}

t.test('the refusal is app-wide: a state-changing request to any path, even one added later, is refused first', async (t) => {
  const server = await buildTestApp(t)
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const res = await request(server, method, '/api/some-future-route', { headers: { 'sec-fetch-site': 'cross-site' } })
    t.equal(res.status, 403, method)
    t.equal(res.body.code, 'forbidden_origin', method)
  }
  const get = await request(server, 'GET', '/api/me', { headers: { 'sec-fetch-site': 'cross-site' } })
  t.equal(get.status, 401, 'safe methods are not refused (and change nothing)')
})
