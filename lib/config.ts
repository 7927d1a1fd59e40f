// Turns the environment into one validated, typed config object; a bad value names its variable.
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'

const Int = (min: number, max: number, def: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description })

export const EnvSchema = Type.Object({
  PORT: Int(0, 65535, 5000, 'TCP port of the HTTPS/WSS listener'),
  HOST: Type.String({ minLength: 1, default: 'localhost', description: 'interface to listen on' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'user store and session key' }),
  CERTS_DIR: Type.String({ minLength: 1, default: './certs', description: 'where the self-signed certificate goes' }),
  TLS_CERT: Type.Optional(Type.String({ minLength: 1, description: 'PEM certificate (chain) file' })),
  TLS_KEY: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key file' })),
  MESSAGE_MAX_CHARS: Int(1, 1000, 50, 'user-perceived characters per message'),
  MESSAGE_RATE_PER_SEC: Type.Number({ exclusiveMinimum: 0, maximum: 100, default: 1, description: 'messages per second per user' }),
  IDLE_WARN_MS: Int(10, 86_400_000, 20_000, 'idle time before the warning'),
  IDLE_KICK_MS: Int(20, 86_400_000, 30_000, 'idle time before the disconnect, counted from the last activity'),
  LOGIN_FAILURES_PER_MIN: Int(1, 100_000, 10, 'failed logins per minute per client address'),
  MAX_SOCKETS_PER_USER: Int(1, 1000, 10, 'open chat sockets one user may hold at once'),
  HEARTBEAT_MS: Int(100, 600_000, 30_000, 'ping interval; a socket that misses a ping is dropped'),
  SESSION_TTL_MS: Int(1000, 30 * 86_400_000, 8 * 3_600_000, 'absolute session lifetime'),
  ALLOWED_ORIGINS: Type.String({ default: '', description: 'comma-separated extra origins allowed to open /ws' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' }
  ),
  SCRYPT_COST: Int(1024, 2 ** 20, 2 ** 17, 'scrypt N (a power of two)')
})
export type Env = Static<typeof EnvSchema>

export interface Config {
  port: number
  host: string
  dataDir: string
  certsDir: string
  tlsCert?: string
  tlsKey?: string
  messageMaxChars: number
  messageRatePerSec: number
  idleWarnMs: number
  idleKickMs: number
  sessionTtlMs: number
  heartbeatMs: number
  maxSocketsPerUser: number
  loginFailuresPerMin: number
  allowedOrigins: string[]
  logLevel: string
  scryptCost: number
}

export class ConfigError extends Error {}

function parseOrigins(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      let url: URL
      try {
        url = new URL(s)
      } catch {
        throw new ConfigError(`ALLOWED_ORIGINS: "${s}" is not an origin like https://example.com`)
      }
      if (url.origin !== s.replace(/\/$/, '') || url.protocol !== 'https:') {
        throw new ConfigError(`ALLOWED_ORIGINS: "${s}" must be a bare https origin like https://example.com`)
      }
      return url.origin
    })
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
  return c
}

/** Reads the config from environment variables; throws ConfigError naming the bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, unknown> = {}
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') picked[key] = value.trim()
  }
  const parsed = Value.Default(EnvSchema, Value.Convert(EnvSchema, picked))
  const first = [...Value.Errors(EnvSchema, parsed)][0]
  if (first) {
    const name = first.instancePath.replace(/^\//, '') || 'environment'
    throw new ConfigError(`${name}: ${first.message} (got ${JSON.stringify(picked[name])})`)
  }
  const e = parsed as Env
  return checkConfig({
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    certsDir: e.CERTS_DIR,
    tlsCert: e.TLS_CERT,
    tlsKey: e.TLS_KEY,
    messageMaxChars: e.MESSAGE_MAX_CHARS,
    messageRatePerSec: e.MESSAGE_RATE_PER_SEC,
    idleWarnMs: e.IDLE_WARN_MS,
    idleKickMs: e.IDLE_KICK_MS,
    sessionTtlMs: e.SESSION_TTL_MS,
    heartbeatMs: e.HEARTBEAT_MS,
    maxSocketsPerUser: e.MAX_SOCKETS_PER_USER,
    loginFailuresPerMin: e.LOGIN_FAILURES_PER_MIN,
    allowedOrigins: parseOrigins(e.ALLOWED_ORIGINS),
    logLevel: e.LOG_LEVEL,
    scryptCost: e.SCRYPT_COST
  })
}

/** The defaults, with overrides: what tests build apps from. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return checkConfig({ ...loadConfig({}), ...overrides })
}
