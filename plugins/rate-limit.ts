// Rate limits: per-user chat messages (MESSAGE_RATE_PER_SEC, shared by all of a user's sockets)
// and per-address login/register attempts (AUTH_RATE_PER_MIN, through @fastify/rate-limit).
import fp from 'fastify-plugin'
import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import { createRateLimiter, type RateLimiter } from '../lib/rate-limiter.js'
import { ApiError } from '../lib/api-error.js'

declare module 'fastify' {
  interface FastifyInstance {
    messageLimiter: RateLimiter
  }
}

const PRUNE_EVERY_MS = 60_000

async function rateLimitPlugin(fastify: FastifyInstance) {
  const limiter = createRateLimiter(fastify.config.messageRatePerSec)
  fastify.decorate('messageLimiter', limiter)
  const timer = setInterval(() => limiter.prune(), PRUNE_EVERY_MS).unref()
  fastify.addHook('onClose', async () => clearInterval(timer))

  // Off by default; routes opt in with `config: { rateLimit: ... }` (see authAttemptLimit).
  await fastify.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'rate_limited', `Too many attempts; try again in ${Math.ceil(context.ttl / 1000)} s.`)
  })
}

/** Route config for the password-checking routes: AUTH_RATE_PER_MIN per client address. */
export function authAttemptLimit(perMinute: number) {
  return { rateLimit: { max: perMinute, timeWindow: 60_000 } }
}

export default fp(rateLimitPlugin, { name: 'rate-limit', dependencies: ['config'] })
