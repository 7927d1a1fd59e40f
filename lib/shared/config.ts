// Turns the environment into one validated, typed config object; a bad value names its variable.
// Each setting is declared once, in ConfigSchema: its key is the config field, and the
// environment variable is that key in UPPER_SNAKE case (messageMaxChars -> MESSAGE_MAX_CHARS).
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'
import { LOBBY, ROOM_NAME_PATTERN } from '../chat/protocol/protocol.js'

const Int = (min: number, max: number, def: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description })
const Str = (def: string, description: string) => Type.String({ default: def, description })

// Each setting's description is the reference text: scripts/gen-config-docs.ts renders them into
// docs/configuration.md (npm run docs:config), so say there what an operator needs to know.
export const ConfigSchema = Type.Object({
  port: Int(0, 65535, 5000, 'HTTPS/WSS port. There is no plain-HTTP port.'),
  host: Type.String({ minLength: 1, default: 'localhost', description: 'Interface to listen on (`0.0.0.0` or `::` for all).' }),
  dataDir: Type.String({
    minLength: 1,
    default: './data',
    description:
      'User store (`users.json`), live sessions (`sessions.json`), session key (`session.key`), room registry ' +
      "(`rooms.json`: each room's creator, a keyed hash of its address, its site, an operator's cap; and its key " +
      "`rooms.key`) and room history (`history/<room>.log`), all mode 0600; the operator's admin socket `admin.sock` " +
      '(0600, while the server runs; docs/cli.md).'
  }),
  certsDir: Type.String({ minLength: 1, default: './certs', description: 'Where the self-signed certificate and key are generated (when `TLS_CERT` is unset).' }),
  tlsCert: Type.Optional(Type.String({ minLength: 1, description: 'PEM certificate (chain) file of a real certificate; set together with `TLS_KEY`.' })),
  tlsKey: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key file of that certificate; set together with `TLS_CERT`.' })),
  messageMaxChars: Int(1, 1000, 50, 'Maximum user-perceived characters (grapheme clusters) per message.'),
  messageRatePerSec: Type.Number({
    exclusiveMinimum: 0,
    maximum: 100,
    default: 1,
    description:
      "Messages per second per user, over all their tabs (a site's guests from one address count as one user). " +
      'Fractions allowed (`0.5` = one every 2 s).'
  }),
  idleWarnMs: Int(10, 86_400_000, 20_000, 'Idle time after which a session gets an `idle_warning`.'),
  idleKickMs: Int(20, 86_400_000, 30_000,
    'Idle time, counted from the last activity, after which the session is disconnected and ended. Must exceed `IDLE_WARN_MS`.'),
  loginFailuresPerMin: Int(1, 100_000, 10,
    'Failed logins per minute per client address (IPv6: per /64; a burst of this many, then one every 60/N s); ' +
      'beyond that logins get `429 rate_limited`. Successful logins never count.'),
  maxSocketsPerUser: Int(1, 1000, 10,
    "Open chat sockets (tabs) one user (a site's guests from one address count as one) may hold at once; " +
      'more are refused with `429 too_many_connections`.'),
  frameBudgetPerSec: Int(1, 10_000, 10,
    'Frames per second one chat socket may send, refused ones included; checked before a frame is parsed. ' +
      'Frames over budget are answered `rate_limited`.'),
  frameBudgetBurst: Int(1, 10_000, 30, 'Frames one chat socket may send at once before `FRAME_BUDGET_PER_SEC` applies.'),
  refusedFramesPerMin: Int(1, 100_000, 30,
    'Refused frames one chat socket may send (a burst of this many, forgiven at this rate per minute); beyond that it is closed with 1008.'),
  maxBufferedBytes: Int(16_384, 64 * 1024 * 1024, 1024 * 1024,
    'Unsent bytes one chat socket may hold (every frame the server sends counts); a client that falls further behind is dropped. ' +
      'A catch-up, `joined` and `history`/`members` pages are paced to half of it and never drop a client; ' +
      '`joined` and `history` carry at most a quarter of it in messages.'),
  heartbeatMs: Int(100, 600_000, 30_000, 'The server pings every socket this often and drops one that did not answer the previous ping.'),
  sessionTtlMs: Int(1000, 30 * 86_400_000, 8 * 3_600_000, 'Absolute session lifetime (8 h); the session then ends, even if active.'),
  allowedOrigins: Str('', "Comma-separated extra `https://` origins allowed to call the API and open `/ws`. The server's own origin always is."),
  logLevel: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description: 'The least severe level that is logged. Logs are JSON (pino) on stdout.'
  }),
  roomMaxUsers: Int(2, 100_000, 50,
    'Users one room holds (a user in several tabs counts once); also the largest cap a room may be created with. ' +
      'A join beyond it gets `room_full`.'),
  maxRooms: Int(1, 1_000_000, 1000, 'Rooms the server holds at once, the lobby included; `create` beyond it gets `too_many_rooms`.'),
  roomTtlMs: Int(1000, 365 * 86_400_000, 7 * 86_400_000,
    'A room nobody has been in or written to for this long (7 days) disappears with its history. The lobby never does.'),
  presenceFlushMs: Int(0, 5000, 250,
    "A room's join/leave `presence` frames go out at once when the room sent none this long; otherwise they are queued " +
      'and sent together at the end of the interval (one write per member; a user who came and went meanwhile is not announced). ' +
      '`0`: each at once.'),
  memberListMax: Int(0, 100_000, 100,
    'A room with more users than this is *large*: `joined` carries no member list, joins and leaves are not announced ' +
      'one by one (`online` counts instead) and names are fetched in pages with `members`; listed again at half of it ' +
      '(docs/protocol.md, Large rooms). `0`: every room is large.'),
  onlineCountMs: Int(0, 600_000, 5000, 'A large room sends its `online` count at most this often, and only when it changed.'),
  historyLimit: Int(1, 100_000, 500,
    'Messages kept per room, persisted in `DATA_DIR/history/<room>.log` (mode 0600); the file holds at most 10 % more between compactions.'),
  historyMemoryMb: Int(1, 1_000_000, 256,
    "Memory (MiB) for room history, all rooms together; past it the least recently used rooms' messages are dropped " +
      'from memory and read from disk when asked for. 256 MiB holds every room at the defaults with ordinary messages ' +
      '(~340 bytes each), or 112,000 maximum-size ones (docs/security.md).'),
  idleActivity: Type.Enum(['input', 'message'], {
    default: 'input',
    description:
      "What keeps a session from the idle reaper. `input`: the page's `activity` frames (keys, pointer, scroll, focus) " +
      'and `typing` count as activity, so a reading user is not kicked. `message`: only accepted messages count. ' +
      'Told to clients in `welcome` as `limits.idleActivity`.'
  }),
  roomJoinsPerMin: Int(1, 100_000, 30,
    '`join`, `leave`, `rooms`, `history` and `members` requests per minute per user (bursts of 10); beyond that `rate_limited`.'),
  roomCreatesPerMin: Int(1, 10_000, 5, 'Rooms one user may create per minute.'),
  roomsPerUser: Int(0, 1_000_000, 10,
    'Live rooms one account may have created (over all its addresses); one more gets `room_quota` naming `ROOMS_PER_USER` ' +
      "until one of them is gone. Guests create no room at all (`forbidden`). `0`: only the operator's site rooms exist besides the lobby."),
  roomsPerIp: Int(0, 1_000_000, 20,
    'Live rooms created from one client address (IPv6: per /64), over all its accounts; one more gets `room_quota` ' +
      'naming `ROOMS_PER_IP`. With the other defaults one address can never hold more than 2 % of `MAX_ROOMS` (docs/security.md).'),
  roomUnusedTtlMs: Int(1000, 365 * 86_400_000, 600_000,
    'A room nobody ever wrote in disappears once it has been empty this long (10 min), long before `ROOM_TTL_MS`. ' +
      'Never the lobby or a site room.'),
  scryptCost: Int(1024, 2 ** 20, 2 ** 17,
    'scrypt N (2^17 by default; a power of two) for new password hashes. Lower only for tests; ' +
      'raising it re-hashes each user at their next login.'),
  accountLoginFailuresPerHour: Int(1, 1_000_000, 100,
    'Failed logins per hour per account over all addresses (ASVS); beyond that logins to it get `429 rate_limited`, ' +
      'except from an address that logged into it in the last 30 days.'),
  registrationsPerHour: Int(1, 1_000_000, 5,
    'Registrations per hour per client address (IPv6: per /64; a burst of this many, then one every 60/N min); ' +
      'beyond that `429 rate_limited`. Raise it for tests and benchmarks.'),
  hashConcurrency: Int(1, 64, 2, 'Password hashes (scrypt, ~128 MiB each at the default cost) computed at once; the rest wait.'),
  hashQueueMax: Int(0, 100_000, 16,
    'Password hashes that may wait for a slot; beyond that logins and registrations get `503 busy` with `Retry-After`.'),
  trustProxy: Type.Boolean({
    default: false,
    description:
      '`true` behind one reverse proxy: the client address is the one the proxy appends to `X-Forwarded-For` ' +
      '(entries written by clients are ignored). Leave off when clients connect directly, or every client could pick its own address.'
  }),
  maxConnectionsPerIp: Int(1, 100_000, 64,
    'Open TLS connections per client address (IPv6: per /64), chat sockets included. More are closed at once, ' +
      'before the TLS handshake (the client sees a reset).'),
  maxSocketsPerIp: Int(1, 100_000, 32,
    'Open chat sockets per client address; more upgrades get `429 too_many_connections`. Keep it below `MAX_CONNECTIONS_PER_IP`.'),
  connectionsPerIpPerMin: Int(1, 1_000_000, 120,
    'New connections per client address per minute (a burst of this many, then one every 60/N s); every attempt counts. ' +
      'A connection over the rate is answered `429 rate_limited` with `Retry-After` and `Connection: close`.'),
  maxConnections: Int(0, 10_000_000, 0,
    'Open connections in total. `0` derives it from the soft open-file limit (`/proc/self/limits`, else 1024) minus ' +
      'a reserve of a tenth (at least 64) for files and logs; a value above that stops start-up. ' +
      'Connections beyond it are closed before TLS.'),
  requestTimeoutMs: Int(100, 600_000, 30_000,
    'Time to receive a whole request, headers and body; a slower client gets `408` and is disconnected. ' +
      'Checked every tenth of the limit (at most every second), so it holds within 10 %.'),
  handshakeTimeoutMs: Int(100, 600_000, 10_000, 'Time to finish the TLS handshake; a stalled one is dropped.'),
  tlsSessionTimeoutS: Int(1, 86_400, 3600,
    'How long a TLS session ticket lets a reconnecting client resume (no certificate signature, about a third less ' +
      'server CPU than a full handshake). The ticket key is random per start and kept in memory only: after a restart ' +
      'old tickets fall back to a full handshake.'),
  publicOrigin: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "The server's own origin, a bare `https://` origin like `https://chat.example.org`. When set, it alone " +
        '(plus `ALLOWED_ORIGINS`) may open `/ws` and `POST` to the API, whatever the `Host` header says. ' +
        "Unset, the own origin is `https://` + the request's `Host` (fine for the quick start)."
    })
  ),
  embedOrigins: Str('',
    'Comma-separated bare `https://` origins of sites allowed to embed the chat widget. `/widget.html` answers with ' +
      "`frame-ancestors` these origins (`'none'` when empty; every other route keeps `'none'`)."),
  embedSecrets: Str('',
    'Comma-separated `origin=secret` pairs (secret at least 32 characters, origin in `EMBED_ORIGINS`): ' +
      'the HMAC-SHA256 key with which that site signs `data-user-token`.'),
  embedGuests: Str('', 'Comma-separated origins (each in `EMBED_ORIGINS`) where anonymous guests may chat without an account.'),
  embedRooms: Str('',
    'Comma-separated `origin=room[:cap]` (origin in `EMBED_ORIGINS`, room 1-32 of `a-z 0-9 -`, not `lobby`, each room ' +
      "for one site only; cap 2..`ROOM_MAX_USERS`, default `ROOM_MAX_USERS`): the rooms each site's widget opens. " +
      'The server makes them at start and keeps them (never swept; nobody can `create` one, a room of that name made ' +
      'earlier is taken over); their cap is this one unless an operator set another (`parley rooms cap`).'),
  maxGuestsPerIp: Int(0, 10_000, 3, 'Live guest sessions per client address (IPv6: per /64); more get `429 too_many_guests`.'),
  guestsPerIpPerHour: Int(1, 1_000_000, 10,
    'New guest sessions per client address per hour (a burst of this many, then one every 60/N min), also when each ' +
      'new guest ends the previous one; beyond that `429 too_many_guests` with `Retry-After`. A site\'s guests from one ' +
      'address share one allowance of every per-user limit (messages, room requests and creation, `MAX_SOCKETS_PER_USER`).'),
  ticketsPerSessionPerMin: Int(1, 100_000, 10,
    'Widget tickets per minute per widget session (a burst of this many); beyond that `429 rate_limited` with ' +
      '`Retry-After`. A session holds at most 3 live tickets: a fourth revokes the oldest.'),
  ticketsPerIpPerMin: Int(1, 1_000_000, 120,
    'Widget tickets per minute per client address over all its sessions (a burst of this many), new widget sessions ' +
      'included; beyond that `429 rate_limited` with `Retry-After`.'),
  maxTickets: Int(1, 10_000_000, 10_000,
    'Widget tickets waiting to be used (each lives 30 s) in total; beyond that a ticket or a new widget session gets ' +
      '`503 busy` with `Retry-After`.'),
  wsAuthTimeoutMs: Int(100, 60_000, 5_000,
    'Time a cookieless widget socket has to send its `auth` frame; later (or another frame first) closes it with 1008 `auth_required`.')
})
type Raw = Static<typeof ConfigSchema>

/** The settings whose value is a comma-separated list, parsed into arrays or maps by loadConfig. */
export const LIST_SETTINGS = ['allowedOrigins', 'embedOrigins', 'embedSecrets', 'embedGuests', 'embedRooms'] as const

/** The validated config: the schema's fields, with list-valued settings parsed. */
export type Config = Omit<Raw, (typeof LIST_SETTINGS)[number]> & {
  allowedOrigins: string[]
  embedOrigins: string[]
  /** Per embedding origin, the secret its backend signs identities with. */
  embedSecrets: Record<string, string>
  embedGuests: string[]
  /** The rooms embedding sites own (EMBED_ROOMS), each name once; cap undefined = ROOM_MAX_USERS. */
  embedRooms: SiteRoom[]
}

/** A room an embedding site owns: created by the server at start, never by a visitor. */
export interface SiteRoom {
  site: string
  name: string
  cap?: number
}

export class ConfigError extends Error {}

/** The environment variable of a config field: `messageMaxChars` -> `MESSAGE_MAX_CHARS`. */
export const envName = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()

function parseOrigin(s: string, variable: string): string {
  let url: URL
  try {
    url = new URL(s)
  } catch {
    throw new ConfigError(`${variable}: "${s}" is not an origin like https://example.com`)
  }
  if (url.origin !== s.replace(/\/$/, '') || url.protocol !== 'https:') {
    throw new ConfigError(`${variable}: "${s}" must be a bare https origin like https://example.com`)
  }
  return url.origin
}

function parseOrigins(raw: string, variable = 'ALLOWED_ORIGINS'): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => parseOrigin(s, variable))
}

/** EMBED_SECRETS: `origin=secret` pairs; each origin must be an embed origin, each secret long. */
function parseSecrets(raw: string, embedOrigins: string[]): Record<string, string> {
  const secrets: Record<string, string> = Object.create(null)
  for (const pair of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = pair.indexOf('=')
    const origin = parseOrigin(at > 0 ? pair.slice(0, at) : pair, 'EMBED_SECRETS')
    const secret = at > 0 ? pair.slice(at + 1) : ''
    if (secret.length < 32) throw new ConfigError(`EMBED_SECRETS: the secret for ${origin} must be at least 32 characters`)
    if (!embedOrigins.includes(origin)) throw new ConfigError(`EMBED_SECRETS: ${origin} is not in EMBED_ORIGINS`)
    secrets[origin] = secret
  }
  return secrets
}

/** EMBED_ROOMS: `origin=room[:cap]` entries; each origin an embed origin, each room named once, never the lobby. */
export function parseEmbedRooms(raw: string, embedOrigins: string[], roomMaxUsers: number): SiteRoom[] {
  const rooms: SiteRoom[] = []
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf('=')
    if (at <= 0) throw new ConfigError(`EMBED_ROOMS: "${entry}" is not origin=room[:cap]`)
    const site = parseOrigin(entry.slice(0, at), 'EMBED_ROOMS')
    if (!embedOrigins.includes(site)) throw new ConfigError(`EMBED_ROOMS: ${site} is not in EMBED_ORIGINS`)
    const [name = '', capText, ...extra] = entry.slice(at + 1).split(':')
    // The same rule as RoomNameSchema; the lobby is everyone's and cannot belong to a site.
    if (!ROOM_NAME_PATTERN.test(name) || name === LOBBY || extra.length > 0) {
      throw new ConfigError(`EMBED_ROOMS: "${entry}" needs a room name of 1-32 a-z 0-9 - (not lobby)`)
    }
    const cap = capText === undefined ? undefined : Number(capText)
    if (cap !== undefined && !(/^[0-9]+$/.test(capText!) && cap >= 2 && cap <= roomMaxUsers)) {
      throw new ConfigError(`EMBED_ROOMS: the cap of ${name} must be 2..ROOM_MAX_USERS (${roomMaxUsers}), got "${capText}"`)
    }
    const taken = rooms.find((r) => r.name === name)
    if (taken) throw new ConfigError(`EMBED_ROOMS: room ${name} is declared twice (${taken.site}, ${site})`)
    rooms.push(cap === undefined ? { site, name } : { site, name, cap })
  }
  return rooms
}

function parseEmbed(raw: Raw) {
  const embedOrigins = parseOrigins(raw.embedOrigins, 'EMBED_ORIGINS')
  const embedGuests = parseOrigins(raw.embedGuests, 'EMBED_GUESTS')
  const stray = embedGuests.find((o) => !embedOrigins.includes(o))
  if (stray) throw new ConfigError(`EMBED_GUESTS: ${stray} is not in EMBED_ORIGINS`)
  return {
    embedOrigins,
    embedGuests,
    embedSecrets: parseSecrets(raw.embedSecrets, embedOrigins),
    embedRooms: parseEmbedRooms(raw.embedRooms, embedOrigins, raw.roomMaxUsers)
  }
}

/** Checks the relations between values that one field's schema cannot express. */
function checkConfig(c: Config): Config {
  if (c.idleKickMs <= c.idleWarnMs) {
    throw new ConfigError(`IDLE_KICK_MS (${c.idleKickMs}) must be greater than IDLE_WARN_MS (${c.idleWarnMs})`)
  }
  if (Boolean(c.tlsCert) !== Boolean(c.tlsKey)) {
    throw new ConfigError('TLS_CERT and TLS_KEY must be set together')
  }
  if ((c.scryptCost & (c.scryptCost - 1)) !== 0) {
    throw new ConfigError(`SCRYPT_COST (${c.scryptCost}) must be a power of two`)
  }
  if (c.publicOrigin !== undefined) c.publicOrigin = parseOrigin(c.publicOrigin, 'PUBLIC_ORIGIN')
  return c
}

/** Reads the config from environment variables; throws ConfigError naming the bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[envName(key)]
    if (value !== undefined && value !== '') picked[key] = value.trim()
  }
  const parsed = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, picked))
  const first = [...Value.Errors(ConfigSchema, parsed)][0]
  if (first) {
    const key = first.instancePath.replace(/^\//, '')
    const name = key ? envName(key) : 'environment'
    throw new ConfigError(`${name}: ${first.message} (got ${JSON.stringify(picked[key])})`)
  }
  const raw = parsed as Raw
  return checkConfig({ ...raw, allowedOrigins: parseOrigins(raw.allowedOrigins), ...parseEmbed(raw) })
}

/** The defaults, with overrides: what tests build apps from. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return checkConfig({ ...loadConfig({}), ...overrides })
}
