// Rate limits: chat messages per user (MESSAGE_RATE_PER_SEC, shared by all of a user's
// sockets), failed logins (per address, per account and address, per account) and
// registrations per client address (REGISTRATIONS_PER_HOUR).
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { createRateLimiter, jitterTolerance, type RateLimiter } from '../../lib/shared/rate-limiter.js'
import { createFailureBucket, createGrowingDelay, createLoginGuard } from '../../lib/accounts/login-limits.js'
import type { LoginGuard } from '../../lib/accounts/ports.js'

declare module 'fastify' {
  interface FastifyInstance {
    messageLimiter: RateLimiter
    loginGuard: LoginGuard
    registrationLimiter: RateLimiter
  }
}

const PRUNE_EVERY_MS = 60_000
const MINUTE = 60_000
const HOUR = 60 * MINUTE

// Per (account, address): 5 free failures, then 1 s, 2 s, 4 s ... at most 60 s after each
// failure; a pair with no failure for an hour starts afresh, a success resets it at once.
export const PAIR_DELAY = { free: 5, baseMs: 1000, maxMs: MINUTE, forgetMs: HOUR }
// An address that logged into an account in the last 30 days is exempt from that account's
// ceiling (but not from the other limits).
export const KNOWN_ADDRESS_MS = 30 * 24 * HOUR
const MAX_KNOWN_PAIRS = 100_000
const MAX_WAITING_PER_KEY = 64

async function rateLimitPlugin(fastify: FastifyInstance) {
  const { messageRatePerSec, loginFailuresPerMin, accountLoginFailuresPerHour, registrationsPerHour } = fastify.config
  // A steady sender just below the rate is never refused for network jitter; the long-run
  // rate still never exceeds it, and two messages back to back are still refused.
  const messages = createRateLimiter(messageRatePerSec, { toleranceMs: jitterTolerance(messageRatePerSec) })
  // Only failures count: people who type their password right are never slowed down,
  // while guessing is held to a trickle once the burst is spent.
  const loginGuard = createLoginGuard({
    perAddress: createFailureBucket(loginFailuresPerMin, MINUTE),
    perPair: createGrowingDelay(PAIR_DELAY),
    perAccount: createFailureBucket(accountLoginFailuresPerHour, HOUR),
    knownForMs: KNOWN_ADDRESS_MS,
    maxKnown: MAX_KNOWN_PAIRS,
    maxWaitingPerKey: MAX_WAITING_PER_KEY
  })
  const registrations = createRateLimiter(registrationsPerHour / 3600, { burst: registrationsPerHour })
  fastify.decorate('messageLimiter', messages)
  fastify.decorate('loginGuard', loginGuard)
  fastify.decorate('registrationLimiter', registrations)
  const timer = setInterval(() => {
    messages.prune()
    loginGuard.prune()
    registrations.prune()
  }, PRUNE_EVERY_MS).unref()
  fastify.addHook('onClose', async () => clearInterval(timer))
}

export default fp(rateLimitPlugin, { name: 'rate-limit', dependencies: ['config'] })
