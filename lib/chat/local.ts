// The chat ports' local adapters (this process's memory). The rooms' ports (room state, presence,
// the bus) join here: one more field in ChatPorts and one more adapter below.
import type { Config } from '../shared/config.js'
import type { Adapters } from '../shared/ports.js'
import { createRateLimiter, jitterTolerance, type RateLimiter } from '../shared/rate-limiter.js'

export interface ChatPorts {
  /**
   * Chat messages per user (MESSAGE_RATE_PER_SEC, shared by all of a user's sockets). Typed as the
   * local limiter, whose take() answers a number: the socket's message handler is synchronous
   * until it learns to wait for a RateLimit's promise (then this becomes a RateLimit).
   */
  messageLimiter: RateLimiter
}

const PRUNE_EVERY_MS = 60_000

export function createLocalChat(config: Config): Adapters<ChatPorts> {
  // A steady sender just below the rate is never refused for network jitter; the long-run
  // rate still never exceeds it, and two messages back to back are still refused.
  const rate = config.messageRatePerSec
  const messageLimiter = createRateLimiter(rate, { toleranceMs: jitterTolerance(rate) })
  const timer = setInterval(() => messageLimiter.prune(), PRUNE_EVERY_MS).unref()
  return {
    ports: { messageLimiter },
    async close() {
      clearInterval(timer)
    }
  }
}
