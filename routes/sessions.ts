// Session management for the signed-in user: list, end one, end all others, change the password.
// Registered inside the auth routes, so their origin check (CSRF) covers every state change here.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import {
  ApiErrorSchema,
  EndedSchema,
  PasswordChangeSchema,
  SessionIdParamsSchema,
  SessionListSchema
} from '../schemas/http.js'
import { ApiError } from '../lib/shared/api-error.js'
import { PASSWORD_PROBLEMS, passwordProblem, usernameKey } from '../lib/accounts/credentials.js'
import type { SessionRecord } from '../lib/sessions/ports.js'

const MESSAGES = {
  unauthorized: 'Not logged in.',
  not_found: 'No such session.',
  invalid_credentials: 'The current password is wrong.'
} as const

export default async function sessionRoutes(instance: FastifyInstance) {
  const fastify = instance.withTypeProvider<TypeBoxTypeProvider>()
  const { sessions, userStore, loginGuard, passwords } = fastify

  const { requireSession } = fastify
  // Ends every other live session of the user; each one's sockets close (4001) at once.
  const endOthers = async (current: SessionRecord): Promise<number> => {
    const others = (await sessions.list(current.username)).filter((s) => s.id !== current.id)
    const ended = await Promise.all(others.map((s) => sessions.end(s.id, 'revoked')))
    return ended.filter(Boolean).length
  }

  fastify.get('/api/sessions', { preHandler: requireSession, schema: { response: { 200: SessionListSchema, 401: ApiErrorSchema } } }, async (request) => {
    const current = request.userSession
    const list = await sessions.list(current.username)
    return {
      sessions: list.map((s) => ({
        id: s.publicId,
        createdAt: s.createdAt,
        lastActive: s.lastActive,
        address: s.address,
        browser: s.browser,
        current: s.id === current.id
      }))
    }
  })

  fastify.delete(
    '/api/sessions/:id',
    {
      preHandler: requireSession,
      schema: { params: SessionIdParamsSchema, response: { 204: { type: 'null' }, 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } }
    },
    async (request, reply) => {
      const current = request.userSession
      // Only the user's own live sessions are found: another user's id answers like an unknown one.
      const target = (await sessions.list(current.username)).find((s) => s.publicId === request.params.id)
      if (!target) throw new ApiError(404, 'not_found', MESSAGES.not_found)
      await sessions.end(target.id, target.id === current.id ? 'logout' : 'revoked')
      if (target.id === current.id) request.session.delete()
      return reply.code(204).send(null)
    }
  )

  fastify.post(
    '/api/logout-all',
    { preHandler: requireSession, schema: { response: { 200: EndedSchema, 401: ApiErrorSchema, 403: ApiErrorSchema } } },
    async (request) => ({ ended: await endOthers(request.userSession) })
  )

  fastify.post(
    '/api/password',
    {
      preHandler: requireSession,
      schema: {
        body: PasswordChangeSchema,
        response: { 200: EndedSchema, 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 429: ApiErrorSchema, 503: ApiErrorSchema }
      }
    },
    async (request) => {
      const current = request.userSession
      const { oldPassword, newPassword } = request.body
      const weak = passwordProblem(newPassword, current.username)
      if (weak) throw new ApiError(400, 'invalid_password', PASSWORD_PROBLEMS[weak])
      // A wrong old password is a failed login: the same limits (address, account and pair) guard both.
      const admission = await loginGuard.admit(usernameKey(current.username), request.addressKey)
      if (!admission.ok) {
        const seconds = Math.ceil(admission.retryInMs / 1000)
        if (admission.reason === 'busy') throw new ApiError(503, 'busy', 'The server is busy; try again shortly.', seconds)
        throw new ApiError(429, 'rate_limited', `Too many failed password checks; try again in ${seconds} s.`, seconds)
      }
      let ok = false
      let user
      try {
        user = await userStore.findUser(current.username)
        ok = user ? (await passwords.verify(oldPassword, user.password)).ok : false
      } catch (err) {
        admission.done('void')
        throw err
      }
      admission.done(ok ? 'success' : 'failure')
      if (!user) throw new ApiError(401, 'unauthorized', MESSAGES.unauthorized)
      if (!ok) throw new ApiError(401, 'invalid_credentials', MESSAGES.invalid_credentials)
      // Hashing goes through the bounded queue like every other hash (503 busy when full).
      const password = await passwords.hash(newPassword)
      await userStore.updateUser({ ...user, password, updatedAt: new Date().toISOString() })
      const ended = await endOthers(current)
      request.log.info({ username: user.username, ended }, 'password changed; other sessions ended')
      return { ended }
    }
  )
}
