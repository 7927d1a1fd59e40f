// Rate limits: chat messages per user (MESSAGE_RATE_PER_SEC, shared by all of a user's
// sockets) and failed logins per client address (LOGIN_FAILURES_PER_MIN).
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { createRateLimiter, jitterTolerance, type RateLimiter } from '../lib/rate-limiter.js'

declare module 'fastify' {
  interface FastifyInstance {
    messageLimiter: RateLimiter
    loginFailureLimiter: RateLimiter
  }
}

const PRUNE_EVERY_MS = 60_000

async function rateLimitPlugin(fastify: FastifyInstance) {
  const { messageRatePerSec, loginFailuresPerMin } = fastify.config
  // A steady sender just below the rate is never refused for network jitter; the long-run
  // rate still never exceeds it, and two messages back to back are still refused.
  const messages = createRateLimiter(messageRatePerSec, { toleranceMs: jitterTolerance(messageRatePerSec) })
  // Only failures count: people who type their password right are never slowed down,
  // while guessing is held to a trickle once the burst is spent.
  const loginFailures = createRateLimiter(loginFailuresPerMin / 60, { burst: loginFailuresPerMin })
  fastify.decorate('messageLimiter', messages)
  fastify.decorate('loginFailureLimiter', loginFailures)
  const timer = setInterval(() => {
    messages.prune()
    loginFailures.prune()
  }, PRUNE_EVERY_MS).unref()
  fastify.addHook('onClose', async () => clearInterval(timer))
}

export default fp(rateLimitPlugin, { name: 'rate-limit', dependencies: ['config'] })
