// Accounts and sessions over JSON: register, login, logout, me.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ApiErrorSchema, CredentialsSchema, UserSchema } from '../schemas/http.js'
import { ApiError } from '../lib/api-error.js'
import { isAllowedOrigin } from '../lib/origin.js'
import { checkPassword, checkUsername, normaliseUsername } from '../lib/credentials.js'
import { burnPasswordCheck, hashPassword, verifyPassword, type ScryptParams } from '../lib/password.js'
import { UsernameTakenError } from '../lib/user-store.js'
import sessionRoutes from './sessions.js'

const MESSAGES = {
  invalid_username: "Usernames are 3-32 letters, digits, '_', '.' or '-'.",
  invalid_password: 'Passwords are 8-128 characters and may not be the username.',
  username_taken: 'That username is taken.',
  invalid_credentials: 'Wrong username or password.',
  unauthorized: 'Not logged in.'
} as const

export default async function authRoutes(instance: FastifyInstance) {
  const fastify = instance.withTypeProvider<TypeBoxTypeProvider>()
  const { config, userStore, sessions, loginFailureLimiter } = fastify
  const params: ScryptParams = { N: config.scryptCost, r: 8, p: 1 }

  // SameSite=Strict already keeps other sites' cookies out; refusing foreign origins also
  // stops login CSRF and keeps the API to the pages we serve or allow.
  fastify.addHook('onRequest', async (request) => {
    const origin = request.headers.origin
    if (request.method !== 'GET' && request.method !== 'HEAD' && origin !== undefined && !isAllowedOrigin(origin, request.headers.host, config.allowedOrigins)) {
      throw new ApiError(403, 'forbidden_origin', 'This origin may not use the API.')
    }
  })

  const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 409: ApiErrorSchema, 429: ApiErrorSchema }

  fastify.post('/api/register', { schema: { body: CredentialsSchema, response: { 201: UserSchema, ...errors } } }, async (request, reply) => {
    const username = normaliseUsername(request.body.username)
    const { password } = request.body
    const bad = checkUsername(username) ?? checkPassword(password, username)
    if (bad) throw new ApiError(400, bad, MESSAGES[bad])
    if (await userStore.findUser(username)) throw new ApiError(409, 'username_taken', MESSAGES.username_taken)
    const now = new Date().toISOString()
    try {
      await userStore.createUser({ username, password: await hashPassword(password, params), createdAt: now, updatedAt: now })
    } catch (err) {
      if (err instanceof UsernameTakenError) throw new ApiError(409, 'username_taken', MESSAGES.username_taken)
      throw err
    }
    request.log.info({ username }, 'user registered')
    return reply.code(201).send({ username })
  })

  fastify.post('/api/login', { schema: { body: CredentialsSchema, response: { 200: UserSchema, ...errors } } }, async (request, reply) => {
    // A token is taken before the check and given back on success, so a burst of concurrent
    // guesses cannot all slip past the limit while their hashes run.
    const retryInMs = loginFailureLimiter.take(request.ip)
    if (retryInMs > 0) {
      const seconds = Math.ceil(retryInMs / 1000)
      reply.header('retry-after', seconds)
      throw new ApiError(429, 'rate_limited', `Too many failed logins; try again in ${seconds} s.`)
    }
    const username = normaliseUsername(request.body.username)
    const { password } = request.body
    const user = checkUsername(username) ? undefined : await userStore.findUser(username)
    const { ok, rehash } = user
      ? await verifyPassword(password, user.password, params)
      : await burnPasswordCheck(password, params) // same work, so timing does not tell who exists
    if (!user || !ok) throw new ApiError(401, 'invalid_credentials', MESSAGES.invalid_credentials)
    loginFailureLimiter.refund(request.ip)
    if (rehash) {
      const updated = { ...user, password: await hashPassword(password, params), updatedAt: new Date().toISOString() }
      await userStore.updateUser(updated)
      request.log.info({ username: user.username }, 'password re-hashed with current scrypt parameters')
    }
    const session = await fastify.startSession(request, user.username)
    fastify.touchSession(session.id) // login is the session's first activity
    return { username: user.username }
  })

  fastify.post('/api/logout', { schema: { response: { 204: { type: 'null' } } } }, async (request, reply) => {
    // The end is durable before the answer: a replayed cookie stays refused, even after a restart.
    const session = await fastify.currentSession(request)
    if (session) await sessions.end(session.id, 'logout')
    request.session.delete()
    return reply.code(204).send(null)
  })

  fastify.get('/api/me', { schema: { response: { 200: UserSchema, 401: ApiErrorSchema } } }, async (request) => {
    const session = await fastify.currentSession(request)
    if (!session) throw new ApiError(401, 'unauthorized', MESSAGES.unauthorized)
    return { username: session.username }
  })

  // Inside this context, so the origin check above guards their POSTs and DELETEs too.
  await fastify.register(sessionRoutes)
}
