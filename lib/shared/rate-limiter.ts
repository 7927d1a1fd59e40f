// The one GCRA of the app: rate limiting keyed by name (a user, an address), with an injectable
// clock, which judges the long-run rate and can forgive arrivals that jitter a little early. The
// rate-limits port's local adapter (it answers at once: no promise per chat message).
import type { RateLimit } from './ports.js'

export interface RateLimiter extends RateLimit {
  take(key: string, now?: number): number
  wait(key: string, now?: number): number
  refund(key: string, now?: number): void
  /** Events that would conform now, before any is refused (the burst when the key is unknown). */
  remaining(key: string, now?: number): number
  /** Counts an event whether or not it conforms (a failure that happened: it cannot be refused). */
  spend(key: string, now?: number): void
  /** Drops buckets that are full again, so memory follows active keys only. */
  prune(now?: number): void
  readonly size: number
}

export interface RateLimiterOptions {
  /** Events allowed at once; default max(1, floor(ratePerSec)). */
  burst?: number
  /**
   * How early (ms) an event may arrive and still count as on time; default 0.
   * Network and event-loop jitter bunch up arrivals of a steady sender: without a tolerance, a
   * client sending steadily just below the rate has some messages refused. Below one interval,
   * two events back to back are still refused (with burst 1), and the long-run rate never exceeds
   * `ratePerSec` (over any span of L ms at most (L + tolerance) / interval + burst events pass).
   */
  toleranceMs?: number
  clock?: () => number
}

/** One GCRA cell: the state is a single number, the theoretical arrival time (TAT). */
export interface Gcra {
  /** 0 when an event at `now` conforms (and it is counted), else the ms until one would. */
  take(now: number): number
  /** Like take, without counting. */
  wait(now: number): number
}

/** The jitter tolerance for people's messages: half an interval (500 ms at 1/s). */
export const jitterTolerance = (ratePerSec: number) => 500 / ratePerSec

/** Interval and tolerance of a rate, checked once. */
function gcraParams(ratePerSec: number, opts: RateLimiterOptions) {
  if (!(ratePerSec > 0)) throw new Error('ratePerSec must be > 0')
  const interval = 1000 / ratePerSec
  const burst = opts.burst ?? Math.max(1, Math.floor(ratePerSec))
  if (!(burst >= 1)) throw new Error('burst must be >= 1')
  const tolerance = opts.toleranceMs ?? 0
  if (!(tolerance >= 0)) throw new Error('toleranceMs must be >= 0')
  // An event conforms when now >= TAT - tau; then TAT = max(TAT, now) + interval.
  return { interval, tau: (burst - 1) * interval + tolerance, burst }
}

/** A single GCRA cell (per socket, say): O(1) per event, no timers, no map. */
export function createGcra(ratePerSec: number, opts: Omit<RateLimiterOptions, 'clock'> = {}): Gcra {
  const { interval, tau } = gcraParams(ratePerSec, opts)
  let tat = -Infinity
  const wait = (now: number) => Math.max(0, Math.ceil(tat - tau - now))
  return {
    take(now) {
      const ms = wait(now)
      if (ms === 0) tat = Math.max(tat, now) + interval
      return ms
    },
    wait
  }
}

/**
 * `ratePerSec` events per second in bursts of up to `burst`, keyed: at 1/s, a second message
 * right after the first is refused. Per-call work is O(1) with no timers.
 */
export function createRateLimiter(ratePerSec: number, opts: RateLimiterOptions = {}): RateLimiter {
  const { interval, tau, burst } = gcraParams(ratePerSec, opts)
  const clock = opts.clock ?? Date.now
  // Per key, the theoretical arrival time: a key whose TAT has passed is back to a full burst.
  const tats = new Map<string, number>()
  const wait = (key: string, now: number) => Math.max(0, Math.ceil((tats.get(key) ?? now) - tau - now))
  return {
    take(key, now = clock()) {
      const ms = wait(key, now)
      if (ms === 0) tats.set(key, Math.max(tats.get(key) ?? now, now) + interval)
      return ms
    },
    wait(key, now = clock()) {
      return wait(key, now)
    },
    remaining(key, now = clock()) {
      const late = Math.max(0, (tats.get(key) ?? now) - now)
      // The epsilon keeps a whole token whole when interval is not exact in binary (60_000 / 7).
      return Math.max(0, Math.min(burst, Math.floor((tau + interval - late) / interval + 1e-9)))
    },
    spend(key, now = clock()) {
      tats.set(key, Math.max(tats.get(key) ?? now, now) + interval)
    },
    refund(key, now = clock()) {
      const t = tats.get(key)
      if (t === undefined) return
      if (t - interval <= now) tats.delete(key)
      else tats.set(key, t - interval)
    },
    prune(now = clock()) {
      for (const [key, t] of tats) if (t <= now) tats.delete(key)
    },
    get size() {
      return tats.size
    }
  }
}
