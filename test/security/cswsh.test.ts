// Cross-site WebSocket hijacking: a page on another site could open /ws with the user's
// cookie. The upgrade needs an Origin that is exactly the server's own (PUBLIC_ORIGIN, or
// https://<Host> when unset) or one in ALLOWED_ORIGINS; anything else is 403 before the upgrade.
import t from 'tap'
import https from 'node:https'
import { connect, PASSWORD, refusal, signUp } from '../helpers/clients.js'
import { startServer } from '../helpers/server.js'

t.test('foreign, missing, null, prefix, suffix and look-alike origins -> 403 forbidden_origin, no socket', async (t) => {
  const server = await startServer(t, { allowedOrigins: ['https://partner.example'] })
  const cookie = await signUp(server, 'alice')
  const own = server.origin // https://127.0.0.1:PORT
  const hostile: [string, string | null][] = [
    ['foreign', 'https://evil.example'],
    ['missing', null],
    ['null (sandboxed iframe, file:)', 'null'],
    ['prefix: own origin + more', `${own}.evil.example`],
    ['prefix: own origin + path-like', `${own}evil`],
    ['suffix: a host ending in ours', `https://evil${own.slice('https://'.length)}`],
    ['suffix: subdomain of an allowed origin', 'https://evil.partner.example'],
    ['allowed origin + more', 'https://partner.example.evil.example'],
    ['plain-http twin', own.replace('https:', 'http:')],
    ['other port', `https://127.0.0.1:${server.port + 1}`],
    ['case-changed', own.toUpperCase()],
    ['trailing slash', `${own}/`]
  ]
  for (const [name, origin] of hostile) {
    const refused = await connect(server, cookie, { origin }).catch((e) => e)
    t.equal(refused.status, 403, name)
    if (refused.body) t.equal(JSON.parse(refused.body).code, 'forbidden_origin', `${name}: code`)
  }
  t.equal(server.app.chatHub.size, 0, 'no socket was opened')
  t.equal(await refusal(connect(server, cookie)), 'open', 'the own origin connects')
  t.equal(await refusal(connect(server, cookie, { origin: 'https://partner.example' })), 'open', 'an ALLOWED_ORIGINS origin connects')
})

t.test('PUBLIC_ORIGIN set -> it is the own origin; a Host-derived origin is refused even when Host matches it', async (t) => {
  const server = await startServer(t, { publicOrigin: 'https://chat.example.org' })
  const cookie = await signUp(server, 'alice')
  t.equal(await refusal(connect(server, cookie, { origin: 'https://chat.example.org' })), 'open', 'PUBLIC_ORIGIN connects')
  t.equal(await refusal(connect(server, cookie)), 403, 'https://<Host> is no longer the own origin')
  // An attacker who controls the Host header (a DNS-rebinding or a misrouted name) gains nothing.
  const spoofed = { origin: 'https://evil.example', headers: { host: 'evil.example' } }
  t.equal(await refusal(connect(server, cookie, spoofed)), 403, 'Origin equal to a forged Host is refused')
  const post = (origin: string, host?: string) =>
    new Promise<number>((resolve, reject) => {
      const headers = { origin, 'content-type': 'application/json', ...(host ? { host } : {}) }
      // Node would check the certificate against the forged Host; the pinned CA is check enough here.
      const req = https.request(new URL('/api/login', server.origin), { method: 'POST', headers, ca: server.ca, agent: false, checkServerIdentity: () => undefined }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end(JSON.stringify({ username: 'alice', password: PASSWORD }))
    })
  t.equal(await post('https://chat.example.org'), 200, 'API POST from PUBLIC_ORIGIN')
  t.equal(await post('https://evil.example', 'evil.example'), 403, 'API POST with Origin equal to a forged Host')
  t.equal(await post(server.origin), 403, 'API POST from the Host-derived origin')
})

t.test('PUBLIC_ORIGIN unset -> the own origin is derived from Host, as in the quick start', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'alice')
  t.equal(await refusal(connect(server, cookie)), 'open')
  t.equal(await refusal(connect(server, cookie, { origin: 'https://localhost:1', headers: { host: 'localhost:1' } })), 'open')
})
