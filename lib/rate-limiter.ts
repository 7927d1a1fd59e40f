// Token-bucket rate limiting keyed by name (a user, an address), with an injectable clock.

export interface RateLimiter {
  /** Takes one token for `key`: 0 when allowed, otherwise the ms until the next token. */
  take(key: string, now?: number): number
  /** Like take, without taking: 0 when a token is there. */
  wait(key: string, now?: number): number
  /** Gives back a token taken in advance (for attempts that turned out not to count). */
  refund(key: string, now?: number): void
  /** Drops buckets that are full again, so memory follows active keys only. */
  prune(now?: number): void
  readonly size: number
}

export interface RateLimiterOptions {
  /** Tokens a full bucket holds; default max(1, floor(ratePerSec)). */
  burst?: number
  clock?: () => number
}

/**
 * `ratePerSec` tokens per second in bursts of up to `burst`: at 1/s, a second message within
 * the same second is refused. Per-call work is O(1) with no timers.
 */
export function createRateLimiter(ratePerSec: number, opts: RateLimiterOptions = {}): RateLimiter {
  if (!(ratePerSec > 0)) throw new Error('ratePerSec must be > 0')
  const clock = opts.clock ?? Date.now
  const burst = opts.burst ?? Math.max(1, Math.floor(ratePerSec))
  const msPerToken = 1000 / ratePerSec
  // A bucket is stored as the time at which it will be full again ("theoretical arrival time").
  const fullAt = new Map<string, number>()
  const wait = (key: string, now: number) => {
    const next = Math.max(fullAt.get(key) ?? now, now) + msPerToken
    return Math.max(0, Math.ceil(next - burst * msPerToken - now))
  }
  return {
    take(key, now = clock()) {
      const ms = wait(key, now)
      if (ms === 0) fullAt.set(key, Math.max(fullAt.get(key) ?? now, now) + msPerToken)
      return ms
    },
    wait(key, now = clock()) {
      return wait(key, now)
    },
    refund(key, now = clock()) {
      const t = fullAt.get(key)
      if (t === undefined) return
      if (t - msPerToken <= now) fullAt.delete(key)
      else fullAt.set(key, t - msPerToken)
    },
    prune(now = clock()) {
      for (const [key, t] of fullAt) if (t <= now) fullAt.delete(key)
    },
    get size() {
      return fullAt.size
    }
  }
}
