// Accounts and sessions over JSON: register, login, logout, me.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ApiErrorSchema, CredentialsSchema, SessionStateSchema, UserSchema } from '../schemas/http.js'
import { ApiError } from '../lib/shared/api-error.js'
import { normaliseUsername, PASSWORD_PROBLEMS, passwordProblem, USERNAME_PROBLEMS, usernameKey, usernameProblem } from '../lib/accounts/credentials.js'
import { isReservedLookalike } from '../lib/accounts/confusables.js'
import type { VerifyResult } from '../lib/accounts/password.js'
import embedRoutes from './embed.js'
import { UsernameTakenError, type PasswordHash, type UserRecord } from '../lib/accounts/ports.js'
import sessionRoutes from './sessions.js'

const MESSAGES = {
  username_taken: 'That username is taken.',
  invalid_credentials: 'Wrong username or password.'
} as const

const LIMIT_MESSAGES = {
  address: 'Too many failed logins from this address',
  pair: 'Too many failed logins for this account from this address',
  account: 'Too many failed logins for this account'
} as const

declare module 'fastify' {
  interface FastifyInstance {
    /** Checks a login (limits included) and returns the account's canonical name; throws ApiError otherwise. */
    checkLogin(request: FastifyRequest, username: string, password: string): Promise<string>
  }
}

export default async function authRoutes(instance: FastifyInstance) {
  const fastify = instance.withTypeProvider<TypeBoxTypeProvider>()
  const { userStore, sessions, passwords, loginGuard, registrationLimiter } = fastify
  // Cross-site POSTs are refused app-wide by plugins/app/csrf.ts before they get here.

  const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 409: ApiErrorSchema, 429: ApiErrorSchema, 503: ApiErrorSchema }

  fastify.post('/api/register', { schema: { body: CredentialsSchema, response: { 201: UserSchema, ...errors } } }, async (request, reply) => {
    const username = normaliseUsername(request.body.username)
    const { password } = request.body
    const problem = usernameProblem(username)
    const refuse = (reason: keyof typeof USERNAME_PROBLEMS) => new ApiError(400, 'invalid_username', USERNAME_PROBLEMS[reason])
    // A look-alike of an existing name is answered "taken" even when it also mixes scripts or
    // copies a reserved name (`аlice` beside `alice`): that is the truer answer. Other faults come first.
    if (problem && problem !== 'mixed_scripts' && problem !== 'reserved') throw refuse(problem)
    const weak = passwordProblem(password, username)
    if (weak) throw new ApiError(400, 'invalid_password', PASSWORD_PROBLEMS[weak])
    if (await userStore.isTaken(username)) throw new ApiError(409, 'username_taken', MESSAGES.username_taken)
    if (problem) throw refuse(problem)
    if (isReservedLookalike(username)) throw refuse('reserved')
    // Each registration costs a hash and adds an account (with its own message rate and
    // socket cap): REGISTRATIONS_PER_HOUR per address. Given back when nothing was created.
    const retryInMs = await registrationLimiter.take(request.addressKey)
    if (retryInMs > 0) {
      const seconds = Math.ceil(retryInMs / 1000)
      throw new ApiError(429, 'rate_limited', `Too many registrations from this address; try again in ${seconds} s.`, seconds)
    }
    let created = false
    try {
      const now = new Date().toISOString()
      await userStore.createUser({ username, password: await passwords.hash(password), createdAt: now, updatedAt: now })
      created = true
    } catch (err) {
      if (err instanceof UsernameTakenError) throw new ApiError(409, 'username_taken', MESSAGES.username_taken)
      throw err
    } finally {
      if (!created) await registrationLimiter.refund(request.addressKey)
    }
    request.log.info({ username }, 'user registered')
    return reply.code(201).send({ username })
  })

  fastify.post('/api/login', { schema: { body: CredentialsSchema, response: { 200: UserSchema, ...errors } } }, async (request) => {
    const username = await checkLogin(request, request.body.username, request.body.password)
    const session = await fastify.startSession(request, username)
    fastify.touchSession(session.id) // login is the session's first activity
    return { username }
  })

  /** The account's canonical name when the password is right; otherwise throws (limits included). */
  async function checkLogin(request: FastifyRequest, typed: string, password: string): Promise<string> {
    // As typed (NFC only): the store tries the exact stored spelling, then the NFKC case fold, so
    // `ａｌｉｃｅ` logs in as `alice` and names stored under older rules keep working.
    const username = typed.normalize('NFC')
    // Limits are keyed by the name as typed (case-folded), whether or not it exists, so the
    // answers tell nothing about which accounts exist. Attempts in flight count against the
    // limits (a burst of guesses cannot slip past), but only failures use them up.
    const admission = await loginGuard.admit(usernameKey(username), request.addressKey)
    if (!admission.ok) {
      const seconds = Math.ceil(admission.retryInMs / 1000)
      if (admission.reason === 'busy') throw new ApiError(503, 'busy', 'The server is busy; try again shortly.', seconds)
      throw new ApiError(429, 'rate_limited', `${LIMIT_MESSAGES[admission.reason]}; try again in ${seconds} s.`, seconds)
    }
    let user: UserRecord | undefined
    let result: VerifyResult
    try {
      user = await userStore.findUser(username)
      // With no user, the same work, so timing does not tell who exists.
      result = user ? await passwords.verify(password, user.password) : await passwords.burn(password)
    } catch (err) {
      admission.done('void') // not checked (e.g. the hashing queue was full): counts for nothing
      throw err
    }
    admission.done(user && result.ok ? 'success' : 'failure')
    if (!user || !result.ok) throw new ApiError(401, 'invalid_credentials', MESSAGES.invalid_credentials)
    if (result.rehash) await rehash(request, user, password)
    return user.username
  }
  fastify.decorate('checkLogin', checkLogin)
  // The widget's logins reuse checkLogin (a decorator of this context).
  await fastify.register(embedRoutes)

  // Replaces a legacy or weaker record; when the hashing queue is full it waits for a later login.
  async function rehash(request: FastifyRequest, user: UserRecord, password: string) {
    let hashed: PasswordHash
    try {
      hashed = await passwords.hash(password)
    } catch (err) {
      if (err instanceof ApiError && err.code === 'busy') return
      throw err
    }
    const current = await userStore.findUser(user.username)
    // Unless the password was changed meanwhile.
    if (!current || JSON.stringify(current.password) !== JSON.stringify(user.password)) return
    await userStore.updateUser({ ...current, password: hashed, updatedAt: new Date().toISOString() })
    request.log.info({ username: user.username }, 'password re-hashed with current scrypt parameters')
  }

  fastify.post('/api/logout', { schema: { response: { 204: { type: 'null' } } } }, async (request, reply) => {
    // The end is durable before the answer: a replayed cookie stays refused, even after a restart.
    const session = await fastify.currentSession(request)
    if (session) await sessions.end(session.id, 'logout')
    request.session.delete()
    return reply.code(204).send(null)
  })

  fastify.get('/api/me', { preHandler: fastify.requireSession, schema: { response: { 200: UserSchema, 401: ApiErrorSchema } } }, async (request) => ({
    username: request.userSession.username
  }))

  // The page's start-up check: "not signed in" is an answer, not an error, so a visitor's
  // console stays clean (a 401 there is logged by the browser as a failed resource).
  fastify.get('/api/session', { schema: { response: { 200: SessionStateSchema } } }, async (request) => {
    const session = await fastify.currentSession(request)
    return { user: session ? { username: session.username } : null }
  })

  // Inside this context, so the origin check above guards their POSTs and DELETEs too.
  await fastify.register(sessionRoutes)
}
