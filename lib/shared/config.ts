// Turns the environment into one validated, typed config object; a bad value names its variable.
// Each setting is declared once, in ConfigSchema: its key is the config field, and the
// environment variable is that key in UPPER_SNAKE case (messageMaxChars -> MESSAGE_MAX_CHARS).
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'
import { LOBBY, ROOM_NAME_PATTERN } from '../chat/protocol/protocol.js'

const Int = (min: number, max: number, def: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description })
const Str = (def: string, description: string) => Type.String({ default: def, description })

export const ConfigSchema = Type.Object({
  port: Int(0, 65535, 5000, 'TCP port of the HTTPS/WSS listener'),
  host: Type.String({ minLength: 1, default: 'localhost', description: 'interface to listen on' }),
  dataDir: Type.String({ minLength: 1, default: './data', description: 'user store and session key' }),
  certsDir: Type.String({ minLength: 1, default: './certs', description: 'where the self-signed certificate goes' }),
  tlsCert: Type.Optional(Type.String({ minLength: 1, description: 'PEM certificate (chain) file' })),
  tlsKey: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key file' })),
  messageMaxChars: Int(1, 1000, 50, 'user-perceived characters per message'),
  messageRatePerSec: Type.Number({ exclusiveMinimum: 0, maximum: 100, default: 1, description: 'messages per second per user' }),
  idleWarnMs: Int(10, 86_400_000, 20_000, 'idle time before the warning'),
  idleKickMs: Int(20, 86_400_000, 30_000, 'idle time before the disconnect, counted from the last activity'),
  loginFailuresPerMin: Int(1, 100_000, 10, 'failed logins per minute per client address'),
  maxSocketsPerUser: Int(1, 1000, 10, 'open chat sockets one user may hold at once'),
  frameBudgetPerSec: Int(1, 10_000, 10, 'frames per second one chat socket may send, refused ones included'),
  frameBudgetBurst: Int(1, 10_000, 30, 'frames one chat socket may send at once'),
  refusedFramesPerMin: Int(1, 100_000, 30, 'refused frames per minute (in a burst of as many) before the socket is closed with 1008'),
  maxBufferedBytes: Int(16_384, 64 * 1024 * 1024, 1024 * 1024, 'unsent bytes one chat socket may hold; a slower reader is dropped'),
  heartbeatMs: Int(100, 600_000, 30_000, 'ping interval; a socket that misses a ping is dropped'),
  sessionTtlMs: Int(1000, 30 * 86_400_000, 8 * 3_600_000, 'absolute session lifetime'),
  allowedOrigins: Str('', 'comma-separated extra origins allowed to open /ws'),
  logLevel: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  roomMaxUsers: Int(2, 100_000, 50, 'users one room holds, each counted once however many tabs; the largest cap'),
  maxRooms: Int(1, 1_000_000, 1000, 'rooms the server holds at once, the lobby included'),
  roomTtlMs: Int(1000, 365 * 86_400_000, 7 * 86_400_000, 'a room nobody used this long vanishes with its history (not the lobby)'),
  presenceFlushMs: Int(0, 5000, 250, 'a room sends presence at once if it sent none this long, else batched at the end of the interval; 0 = each at once'),
  memberListMax: Int(0, 100_000, 100, 'a room with more users is large: no member list in joined, counts instead of presence; listed again at half'),
  onlineCountMs: Int(0, 600_000, 5000, 'a large room sends its online count at most this often'),
  historyLimit: Int(1, 100_000, 500, 'messages kept per room in DATA_DIR/history'),
  historyMemoryMb: Int(1, 1_000_000, 256, 'room history held in memory, all rooms; older messages are read from disk on demand'),
  idleActivity: Type.Enum(['input', 'message'], { default: 'input', description: 'what keeps a session from the idle reaper' }),
  roomJoinsPerMin: Int(1, 100_000, 30, 'joins, leaves and room/history requests per minute per user (bursts of 10)'),
  roomCreatesPerMin: Int(1, 10_000, 5, 'rooms one user may create per minute'),
  roomsPerUser: Int(0, 1_000_000, 10, 'live rooms one account may have created'),
  roomsPerIp: Int(0, 1_000_000, 20, 'live rooms created from one client address (IPv6: per /64)'),
  roomUnusedTtlMs: Int(1000, 365 * 86_400_000, 600_000, 'a room nobody ever wrote in vanishes once empty this long (not the lobby, not a site room)'),
  scryptCost: Int(1024, 2 ** 20, 2 ** 17, 'scrypt N (a power of two)'),
  accountLoginFailuresPerHour: Int(1, 1_000_000, 100, 'failed logins per hour per account, over all addresses'),
  registrationsPerHour: Int(1, 1_000_000, 5, 'registrations per hour per client address'),
  hashConcurrency: Int(1, 64, 2, 'password hashes computed at once'),
  hashQueueMax: Int(0, 100_000, 16, 'password hashes that may wait for a slot; more get 503 busy'),
  trustProxy: Type.Boolean({ default: false, description: 'take the client address from X-Forwarded-For (one proxy hop)' }),
  maxConnectionsPerIp: Int(1, 100_000, 64, 'open TLS connections per client address; more are closed at once'),
  maxSocketsPerIp: Int(1, 100_000, 32, 'open chat sockets per client address'),
  connectionsPerIpPerMin: Int(1, 1_000_000, 120, 'new connections per minute per client address (a burst of this many)'),
  maxConnections: Int(0, 10_000_000, 0, 'open connections in total; 0 = derived from the open-file limit'),
  requestTimeoutMs: Int(100, 600_000, 30_000, 'time to receive a whole request (headers and body)'),
  handshakeTimeoutMs: Int(100, 600_000, 10_000, 'time to finish the TLS handshake'),
  tlsSessionTimeoutS: Int(1, 86_400, 3600, 'how long a TLS session ticket lets a reconnecting client skip the full handshake'),
  publicOrigin: Type.Optional(Type.String({ minLength: 1, description: "the server's own origin, e.g. https://chat.example.org" })),
  embedOrigins: Str('', 'comma-separated https origins of sites allowed to embed the widget'),
  embedSecrets: Str('', 'comma-separated origin=secret pairs (secret >= 32 chars) for signed identities'),
  embedGuests: Str('', 'comma-separated embed origins where anonymous guests may chat'),
  embedRooms: Str('', 'comma-separated origin=room[:cap]: the rooms each embedding site owns, made by the server at start'),
  maxGuestsPerIp: Int(0, 10_000, 3, 'live guest sessions per client address'),
  guestsPerIpPerHour: Int(1, 1_000_000, 10, 'new guest sessions per hour per client address (a burst of this many)'),
  ticketsPerSessionPerMin: Int(1, 100_000, 10, 'widget tickets per minute per widget session (a burst of this many)'),
  ticketsPerIpPerMin: Int(1, 1_000_000, 120, 'widget tickets per minute per client address (a burst of this many)'),
  maxTickets: Int(1, 10_000_000, 10_000, 'unredeemed widget tickets held at once; more get 503 busy'),
  wsAuthTimeoutMs: Int(100, 60_000, 5_000, 'time a ticket-authenticated socket has to send its auth frame')
})
type Raw = Static<typeof ConfigSchema>

/** The validated config: the schema's fields, with list-valued settings parsed. */
export type Config = Omit<Raw, 'allowedOrigins' | 'embedOrigins' | 'embedSecrets' | 'embedGuests' | 'embedRooms'> & {
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
