// The Parley app as a plugin, and the factory that builds a Fastify HTTPS instance around it.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import type { Server as HttpsServer } from 'node:https'
import type { TlsOptions } from 'node:tls'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from './lib/shared/config.js'
import { TLS_CIPHERS, TLS_GROUPS, type TlsMaterial } from './lib/transport/tls-material.js'
import { refusePlainHttp } from './lib/transport/plain-http-refusal.js'
import { ApiError } from './lib/shared/api-error.js'
import config from './plugins/app/config.js'
import securityHeaders, { PERMISSIONS_POLICY } from './plugins/external/security-headers.js'
import websocket, { websocketOptions } from './plugins/external/websocket.js'
import fastifyStatic, { staticOptions } from './plugins/external/static.js'
import adapters from './plugins/app/adapters.js'
import auth from './plugins/app/auth.js'
import passwords from './plugins/app/passwords.js'
import csrf from './plugins/app/csrf.js'
import connectionLimits from './plugins/app/connection-limits.js'
import chatHub from './plugins/app/chat-hub.js'
import idleReaper from './plugins/app/idle-reaper.js'
import rooms from './plugins/app/rooms.js'
import embed from './plugins/app/embed.js'
import admin from './plugins/app/admin.js'
import authRoutes from './routes/auth.js'
import wsRoutes, { onSocketError } from './routes/ws.js'

export interface AppOptions {
  config: Config
  /** Where the built page lives (build.mjs writes dist/web). */
  webRoot?: string
}

export const MAX_FRAME_BYTES = 4096
export const MAX_BODY_BYTES = 16 * 1024
/** Idle time after a response before a kept-alive connection is closed. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000
export { PERMISSIONS_POLICY }
/**
 * Node checks request and header timeouts on a timer (30 s by default), so a 30 s limit held
 * for up to 60 s; checking at a tenth of the limit (at most every second) keeps it within 10 %.
 */
export const timeoutCheckInterval = (requestTimeoutMs: number) => Math.max(25, Math.min(1000, Math.floor(requestTimeoutMs / 10)))
// From sources this file sits beside dist/; bundled, it is dist/server.js itself.
export const DEFAULT_WEB_ROOT = ['./dist/web/', './web/']
  .map((dir) => fileURLToPath(new URL(dir, import.meta.url)))
  .find((dir) => existsSync(join(dir, 'favicon.svg.br')))
/** Registers everything Parley serves: plugins, error and 404 handlers, then routes. */
export async function app(fastify: FastifyInstance, opts: AppOptions) {
  await fastify.register(config, { config: opts.config })

  // One concern each, in the order their dependencies need: the ports' adapters before their users.
  for (const plugin of [securityHeaders, connectionLimits, adapters, auth, passwords, csrf, chatHub, idleReaper, rooms, embed, admin]) {
    await fastify.register(plugin)
  }
  await fastify.register(websocket, websocketOptions(fastify, MAX_FRAME_BYTES, onSocketError))

  // Set before the routes so every route context inherits them.
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500
    if (error instanceof ApiError) {
      if (error.retryAfterSec !== undefined) reply.header('retry-after', error.retryAfterSec)
      return reply.code(status).send({ code: error.code, message: error.message })
    }
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      return reply.code(500).send({ code: 'internal', message: 'Something went wrong on the server.' })
    }
    // Validation failures and body-parser errors (bad JSON, too large, wrong type) are the
    // client's: one stable code, Fastify's explanation as the message.
    const code = /^[a-z_]+$/.test(error.code ?? '') ? error.code : 'invalid_request'
    return reply.code(status).send({ code, message: error.message })
  })
  fastify.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` })
  })

  await fastify.register(authRoutes)
  await fastify.register(wsRoutes)
  const webRoot = opts.webRoot ?? DEFAULT_WEB_ROOT
  if (webRoot && existsSync(webRoot)) {
    await fastify.register(fastifyStatic, staticOptions(webRoot))
    // The plugin's own index route ignores preCompressed; sendFile honours it.
    fastify.get('/', (_request, reply) => reply.sendFile('index.html'))
    // Agents that ignore the page's <link rel="icon"> ask for /favicon.ico: point them at the SVG
    // rather than logging a 404 on every visit.
    fastify.get('/favicon.ico', (_request, reply) => reply.redirect('/favicon.svg', 301))
  } else {
    fastify.log.warn({ webRoot }, 'web bundle missing: run `node build.mjs`; serving the API only')
  }
}

/** Builds a Fastify instance that speaks HTTPS only, with the app registered. */
export async function buildApp(
  config: Config,
  tls: Pick<TlsMaterial, 'cert' | 'key'>,
  // logStream: where log lines go instead of stdout (tests read them).
  opts: Partial<AppOptions> & { logStream?: { write(line: string): void } } = {}
) {
  const serverOptions: FastifyServerOptions & { https: TlsOptions & { connectionsCheckingInterval: number } } = {
    // Slow or stalled clients may not hold connections open: the TLS handshake and each
    // request (headers and body; an upgrade ends at the 101) must finish in time.
    https: {
      cert: tls.cert,
      key: tls.key,
      minVersion: 'TLSv1.2',
      ciphers: TLS_CIPHERS,
      honorCipherOrder: true,
      ecdhCurve: TLS_GROUPS,
      // Session tickets: a reconnecting client resumes instead of a full handshake. The ticket
      // key is made here, kept in memory only and never written: a restart (or another
      // process) cannot read old tickets, which then fall back to a full handshake.
      ticketKeys: randomBytes(48),
      sessionTimeout: config.tlsSessionTimeoutS,
      handshakeTimeout: config.handshakeTimeoutMs,
      connectionsCheckingInterval: timeoutCheckInterval(config.requestTimeoutMs)
    },
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    bodyLimit: MAX_BODY_BYTES,
    logger: {
      level: config.logLevel,
      redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
      ...(opts.logStream && { stream: opts.logStream })
    },
    // Behind a proxy, trust exactly one hop: the address the proxy saw, never what a client wrote.
    trustProxy: config.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    // Reject what the schemas do not allow instead of quietly coercing or stripping it.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    return503OnClosing: true
  }
  const fastify = Fastify(serverOptions)
  // Headers count against the same limit as the whole request (Node's default is 60 s).
  fastify.server.headersTimeout = config.requestTimeoutMs
  refusePlainHttp(fastify.server as HttpsServer)
  await fastify.register(fp(app, { name: 'parley' }), { config, ...opts })
  return fastify
}
