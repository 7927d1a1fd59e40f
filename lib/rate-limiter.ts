// Token-bucket rate limiting keyed by name (a user), with an injectable clock.

export interface RateLimiter {
  /** Takes one token for `key`: 0 when allowed, otherwise the ms until the next token. */
  take(key: string, now?: number): number
  /** Drops buckets that are full again, so memory follows active users only. */
  prune(now?: number): void
  readonly size: number
}

/**
 * `ratePerSec` tokens per second, bursts up to max(1, ratePerSec): at 1/s, a second message
 * within the same second is refused. Per-call work is O(1) with no timers.
 */
export function createRateLimiter(ratePerSec: number, clock: () => number = Date.now): RateLimiter {
  if (!(ratePerSec > 0)) throw new Error('ratePerSec must be > 0')
  const capacity = Math.max(1, Math.floor(ratePerSec))
  const msPerToken = 1000 / ratePerSec
  // A bucket is stored as the time at which it will be full again ("theoretical arrival time").
  const fullAt = new Map<string, number>()
  return {
    take(key, now = clock()) {
      const start = Math.max(fullAt.get(key) ?? now, now)
      const next = start + msPerToken
      const allowedAfter = next - capacity * msPerToken
      if (allowedAfter > now) return Math.ceil(allowedAfter - now)
      fullAt.set(key, next)
      return 0
    },
    prune(now = clock()) {
      for (const [key, t] of fullAt) if (t <= now) fullAt.delete(key)
    },
    get size() {
      return fullAt.size
    }
  }
}
