// Sessions: an encrypted cookie holding a bearer token, checked against the live-session registry (the sessions port).
import fp from 'fastify-plugin'
import secureSession from '@fastify/secure-session'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../../lib/shared/api-error.js'
import { browserFamily } from '../../lib/sessions/browser-family.js'
import { loadOrCreateSessionKey } from '../../lib/sessions/session-key.js'
import type { SessionRecord } from '../../lib/sessions/ports.js'

// `__Host-`: browsers accept it only with Secure, Path=/ and no Domain, so neither a sibling
// subdomain nor a plain-HTTP page can plant or overwrite it.
export const SESSION_COOKIE = '__Host-parley'

declare module 'fastify' {
  interface FastifyInstance {
    /** Starts a fresh session for `username` on this request's cookie, ending any previous one. */
    startSession(request: FastifyRequest, username: string): Promise<SessionRecord>
    /** The request's live session, if any. */
    currentSession(request: FastifyRequest): Promise<SessionRecord | undefined>
    /** preHandler of every route that needs a signed-in user: sets request.userSession, else 401 unauthorized. */
    requireSession(request: FastifyRequest): Promise<void>
  }
  interface FastifyRequest {
    /** The live session, on routes guarded by requireSession. */
    userSession: SessionRecord
  }
}

declare module '@fastify/secure-session' {
  interface SessionData {
    sid: string
  }
}

async function authPlugin(fastify: FastifyInstance) {
  const { sessions, config } = fastify
  const { dataDir, sessionTtlMs } = config
  const key = await loadOrCreateSessionKey(dataDir)
  await fastify.register(secureSession, {
    key,
    cookieName: SESSION_COOKIE,
    expiry: Math.ceil(sessionTtlMs / 1000),
    cookie: { path: '/', httpOnly: true, secure: true, sameSite: 'strict', maxAge: Math.ceil(sessionTtlMs / 1000) }
  })

  fastify.decorate('currentSession', async (request: FastifyRequest) => {
    const token = request.session?.get('sid')
    return typeof token === 'string' ? sessions.get(token) : undefined
  })

  fastify.decorateRequest('userSession', null as unknown as SessionRecord)
  fastify.decorate('requireSession', async (request: FastifyRequest) => {
    const session = await fastify.currentSession(request)
    if (!session) throw new ApiError(401, 'unauthorized', 'Not logged in.')
    request.userSession = session
  })

  fastify.decorate('startSession', async (request: FastifyRequest, username: string) => {
    // Whatever cookie came in (an attacker's planted one included) is ended and replaced.
    const previous = await fastify.currentSession(request)
    if (previous) await sessions.end(previous.id, 'logout')
    const { session, token } = await sessions.create(username, {
      address: request.ip,
      browser: browserFamily(request.headers['user-agent'])
    })
    request.session.regenerate()
    request.session.set('sid', token)
    return session
  })
}

export default fp(authPlugin, { name: 'auth', dependencies: ['config', 'adapters'] })
