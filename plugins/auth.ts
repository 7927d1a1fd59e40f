// Sessions: an encrypted cookie holding a session id, checked against the live-session registry.
import fp from 'fastify-plugin'
import secureSession from '@fastify/secure-session'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { loadOrCreateSessionKey } from '../lib/session-key.js'
import { createMemorySessionRegistry, type SessionRecord, type SessionRegistry } from '../lib/session-registry.js'

// `__Host-`: browsers accept it only with Secure, Path=/ and no Domain, so neither a sibling
// subdomain nor a plain-HTTP page can plant or overwrite it.
export const SESSION_COOKIE = '__Host-parley'

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionRegistry
    /** Starts a fresh session for `username` on this request's cookie, ending any previous one. */
    startSession(request: FastifyRequest, username: string): Promise<SessionRecord>
    /** The request's live session, if any. */
    currentSession(request: FastifyRequest): Promise<SessionRecord | undefined>
  }
}

declare module '@fastify/secure-session' {
  interface SessionData {
    sid: string
  }
}

async function authPlugin(fastify: FastifyInstance) {
  const { dataDir, sessionTtlMs } = fastify.config
  const key = await loadOrCreateSessionKey(dataDir)
  await fastify.register(secureSession, {
    key,
    cookieName: SESSION_COOKIE,
    expiry: Math.ceil(sessionTtlMs / 1000),
    cookie: { path: '/', httpOnly: true, secure: true, sameSite: 'strict', maxAge: Math.ceil(sessionTtlMs / 1000) }
  })
  const sessions = createMemorySessionRegistry(sessionTtlMs)
  fastify.decorate('sessions', sessions)

  fastify.decorate('currentSession', async (request: FastifyRequest) => {
    const sid = request.session?.get('sid')
    return typeof sid === 'string' ? sessions.get(sid) : undefined
  })

  fastify.decorate('startSession', async (request: FastifyRequest, username: string) => {
    const previous = request.session.get('sid')
    if (typeof previous === 'string') await sessions.end(previous, 'logout')
    const session = await sessions.create(username)
    request.session.regenerate()
    request.session.set('sid', session.id)
    return session
  })
}

export default fp(authPlugin, { name: 'auth', dependencies: ['config'] })
