// Per-user message rate limit (MESSAGE_RATE_PER_SEC), shared by all of a user's sockets.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { createRateLimiter, type RateLimiter } from '../lib/rate-limiter.js'

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
}

export default fp(rateLimitPlugin, { name: 'rate-limit', dependencies: ['config'] })
