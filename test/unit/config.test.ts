import t from 'tap'
import { loadConfig } from '../../lib/shared/config.js'

t.test('defaults match the documented ones', async (t) => {
  const c = loadConfig({})
  t.match(c, {
    port: 5000,
    host: 'localhost',
    dataDir: './data',
    messageMaxChars: 50,
    messageRatePerSec: 1,
    idleWarnMs: 20000,
    idleKickMs: 30000,
    sessionTtlMs: 8 * 3600_000,
    allowedOrigins: [],
    logLevel: 'info',
    scryptCost: 2 ** 17
  })
})

t.test('values are read from the environment and converted', async (t) => {
  const c = loadConfig({ PORT: '8443', MESSAGE_RATE_PER_SEC: '2.5', ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443', LOG_LEVEL: 'warn' })
  t.equal(c.port, 8443)
  t.equal(c.messageRatePerSec, 2.5)
  t.same(c.allowedOrigins, ['https://a.example', 'https://b.example:8443'])
  t.equal(c.logLevel, 'warn')
})

t.test('a bad value stops start-up with a message naming the variable', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ MESSAGE_MAX_CHARS: '0' }, /^MESSAGE_MAX_CHARS: /],
    [{ MESSAGE_RATE_PER_SEC: '-1' }, /^MESSAGE_RATE_PER_SEC: /],
    [{ IDLE_WARN_MS: 'soon' }, /^IDLE_WARN_MS: /],
    [{ IDLE_WARN_MS: '5000', IDLE_KICK_MS: '4000' }, /IDLE_KICK_MS .* greater than IDLE_WARN_MS/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ ALLOWED_ORIGINS: 'evil' }, /^ALLOWED_ORIGINS: /],
    [{ ALLOWED_ORIGINS: 'http://plain.example' }, /^ALLOWED_ORIGINS: .*https/],
    [{ ALLOWED_ORIGINS: 'https://a.example/path' }, /^ALLOWED_ORIGINS: /],
    [{ TLS_CERT: '/tmp/cert.pem' }, /TLS_CERT and TLS_KEY/],
    [{ SCRYPT_COST: '3000' }, /^SCRYPT_COST: .*power of two|^SCRYPT_COST/],
    [{ PUBLIC_ORIGIN: 'chat.example.org' }, /^PUBLIC_ORIGIN: /],
    [{ PUBLIC_ORIGIN: 'http://chat.example.org' }, /^PUBLIC_ORIGIN: .*https/],
    [{ PUBLIC_ORIGIN: 'https://chat.example.org/app' }, /^PUBLIC_ORIGIN: /],
    [{ MAX_SOCKETS_PER_IP: '0' }, /^MAX_SOCKETS_PER_IP: /],
    [{ REQUEST_TIMEOUT_MS: 'slow' }, /^REQUEST_TIMEOUT_MS: /]
  ]
  for (const [env, message] of cases) t.throws(() => loadConfig(env), message, JSON.stringify(env))
})

t.test('transport limits and PUBLIC_ORIGIN are read from the environment', async (t) => {
  t.match(loadConfig({}), { maxConnectionsPerIp: 64, maxSocketsPerIp: 32, connectionsPerIpPerMin: 120, maxConnections: 0, requestTimeoutMs: 30000, handshakeTimeoutMs: 10000, publicOrigin: undefined })
  const c = loadConfig({ PUBLIC_ORIGIN: 'https://chat.example.org/', MAX_CONNECTIONS_PER_IP: '8', MAX_SOCKETS_PER_IP: '4', REQUEST_TIMEOUT_MS: '5000' })
  t.equal(c.publicOrigin, 'https://chat.example.org', 'a trailing slash is dropped')
  t.match(c, { maxConnectionsPerIp: 8, maxSocketsPerIp: 4, requestTimeoutMs: 5000 })
})

t.test('EMBED_ROOMS: origin=room[:cap] of embed origins; a bad entry or a room of two sites stops start-up naming the variable', async (t) => {
  const base = { EMBED_ORIGINS: 'https://shop.example,https://blog.example' }
  t.same(loadConfig({ ...base, EMBED_ROOMS: 'https://shop.example=support:5, https://blog.example=blog-help' }).embedRooms, [
    { site: 'https://shop.example', name: 'support', cap: 5 },
    { site: 'https://blog.example', name: 'blog-help' }
  ])
  t.same(loadConfig({}).embedRooms, [], 'none by default')
  t.match(loadConfig({}), { roomsPerUser: 10, roomsPerIp: 20, roomUnusedTtlMs: 600_000 })
  const bad: Record<string, RegExp> = {
    'https://shop.example=support,https://blog.example=support': /^EMBED_ROOMS: room support is declared twice/,
    'https://evil.example=support': /^EMBED_ROOMS: .*not in EMBED_ORIGINS/,
    'https://shop.example=Support': /^EMBED_ROOMS: /,
    'https://shop.example=../x': /^EMBED_ROOMS: /,
    'https://shop.example=lobby': /^EMBED_ROOMS: .*not lobby/,
    'https://shop.example=support:1': /^EMBED_ROOMS: the cap/,
    'https://shop.example=support:51': /^EMBED_ROOMS: the cap/,
    'https://shop.example=support:x': /^EMBED_ROOMS: the cap/,
    'support': /^EMBED_ROOMS: /,
    'shop.example=support': /^EMBED_ROOMS: /
  }
  for (const [value, message] of Object.entries(bad)) t.throws(() => loadConfig({ ...base, EMBED_ROOMS: value }), message, value)
})
