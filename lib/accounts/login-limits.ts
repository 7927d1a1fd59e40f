// Failed-login limits: per client address, per (account, address) pair with a growing delay,
// and a per-account ceiling; attempts in flight are counted so that concurrent guesses cannot
// race past a limit while concurrent correct logins are never refused for it. The login guard
// port's local adapter (the failure counts and the attempts in flight live in this process).
import { createRateLimiter } from '../shared/rate-limiter.js'
import type { Admission, LoginGuard } from './ports.js'

/** One limit on failures: how many more may happen now, and what a failure or success does. */
export interface FailureLimit {
  /** Failures that may still happen now (0 when none). */
  left(key: string, now: number): number
  /** When left() is 0: ms until it is not. */
  retryInMs(key: string, now: number): number
  fail(key: string, now: number): void
  succeed(key: string, now: number): void
  /** Forgets keys that are back to their initial state. */
  prune(now: number): void
  readonly size: number
}

/** A token bucket of failures (the shared GCRA): `burst` at once, refilled at `burst` per `windowMs`. Success changes nothing. */
export function createFailureBucket(burst: number, windowMs: number): FailureLimit {
  const bucket = createRateLimiter((burst * 1000) / windowMs, { burst })
  return {
    left: (key, now) => bucket.remaining(key, now),
    retryInMs: (key, now) => Math.max(1, bucket.wait(key, now)),
    fail: (key, now) => bucket.spend(key, now),
    succeed() {},
    prune: (now) => bucket.prune(now),
    get size() {
      return bucket.size
    }
  }
}

export interface GrowingDelayOptions {
  /** Failures allowed with no delay. */
  free: number
  /** Delay after the first failure beyond `free`; doubles with each further one. */
  baseMs: number
  /** The delay never grows beyond this, so a pair is never locked for long. */
  maxMs: number
  /** A key with no failure for this long starts afresh. */
  forgetMs: number
}

/** After `free` failures, each further attempt waits baseMs, 2*baseMs, ... up to maxMs after the last failure; a success resets. */
export function createGrowingDelay(opts: GrowingDelayOptions): FailureLimit {
  const state = new Map<string, { failures: number; lastAt: number }>()
  const current = (key: string, now: number) => {
    const s = state.get(key)
    return s && now - s.lastAt < opts.forgetMs ? s : undefined
  }
  const delay = (failures: number) => Math.min(opts.maxMs, opts.baseMs * 2 ** (failures - opts.free))
  const readyAt = (s: { failures: number; lastAt: number }) => (s.failures < opts.free ? -Infinity : s.lastAt + delay(s.failures))
  return {
    left(key, now) {
      const s = current(key, now)
      if (!s) return opts.free > 0 ? opts.free : 1
      if (s.failures < opts.free) return opts.free - s.failures
      return now >= readyAt(s) ? 1 : 0
    },
    retryInMs(key, now) {
      const s = current(key, now)
      return s ? Math.max(1, Math.ceil(readyAt(s) - now)) : 1
    },
    fail(key, now) {
      const s = current(key, now)
      state.delete(key) // re-inserted last, so the map stays ordered by last failure
      state.set(key, { failures: (s?.failures ?? 0) + 1, lastAt: now })
    },
    succeed(key) {
      state.delete(key)
    },
    prune(now) {
      for (const [key, s] of state) {
        if (now - s.lastAt < opts.forgetMs) break
        state.delete(key)
      }
    },
    get size() {
      return state.size
    }
  }
}

export interface LoginGuardOptions {
  /** Failures per client address: LOGIN_FAILURES_PER_MIN per minute. */
  perAddress: FailureLimit
  /** Failures per (account, address) pair: a growing delay. */
  perPair: FailureLimit
  /** Failures per account over all addresses: ACCOUNT_LOGIN_FAILURES_PER_HOUR. */
  perAccount: FailureLimit
  /** An address that logged into an account within this time is exempt from that account's ceiling. */
  knownForMs: number
  /** Known (account, address) pairs remembered at most; the oldest are forgotten first. */
  maxKnown: number
  /** Attempts that may wait for in-flight ones on one key; more are told to come back later. */
  maxWaitingPerKey: number
  clock?: () => number
}

export function createLoginGuard(opts: LoginGuardOptions): LoginGuard {
  const clock = opts.clock ?? Date.now
  const inFlight = new Map<string, number>()
  const waiters = new Map<string, (() => void)[]>()
  // `account\0address` -> when the pair last logged in; insertion-ordered by that time.
  const known = new Map<string, number>()
  let admitted = 0

  const isKnown = (pair: string, now: number) => {
    const at = known.get(pair)
    return at !== undefined && now - at < opts.knownForMs
  }

  async function admit(account: string, address: string): Promise<Admission> {
    const pair = `${account}\0${address}`
    for (;;) {
      const now = clock()
      const checks: ['address' | 'pair' | 'account', FailureLimit, string][] = [
        ['address', opts.perAddress, `a:${address}`],
        ['pair', opts.perPair, `p:${pair}`]
      ]
      // A distributed attack on an account must not lock its owner out of their usual address.
      if (!isKnown(pair, now)) checks.push(['account', opts.perAccount, `u:${account}`])

      let refused: { ok: false; reason: 'address' | 'pair' | 'account'; retryInMs: number } | undefined
      let blockedOn: string | undefined
      for (const [reason, limit, key] of checks) {
        const left = limit.left(key.slice(2), now)
        if (left < 1) {
          const retryInMs = limit.retryInMs(key.slice(2), now)
          if (!refused || retryInMs > refused.retryInMs) refused = { ok: false, reason, retryInMs }
        } else if (left - (inFlight.get(key) ?? 0) < 1) blockedOn ??= key
      }
      if (refused) return refused
      if (!blockedOn) return start(checks, pair)
      const queue = waiters.get(blockedOn) ?? []
      if (queue.length >= opts.maxWaitingPerKey) return { ok: false, reason: 'busy', retryInMs: 1000 }
      await new Promise<void>((resolve) => {
        queue.push(resolve)
        waiters.set(blockedOn!, queue)
      })
    }
  }

  function start(checks: ['address' | 'pair' | 'account', FailureLimit, string][], pair: string): Admission {
    for (const [, , key] of checks) inFlight.set(key, (inFlight.get(key) ?? 0) + 1)
    admitted++
    let finished = false
    return {
      ok: true,
      done(outcome) {
        if (finished) return
        finished = true
        admitted--
        const now = clock()
        for (const [, limit, key] of checks) {
          if (outcome === 'failure') limit.fail(key.slice(2), now)
          if (outcome === 'success') limit.succeed(key.slice(2), now)
        }
        if (outcome === 'success') remember(pair, now)
        // Released after the failure is counted, so woken waiters see it.
        for (const [, , key] of checks) {
          const n = (inFlight.get(key) ?? 1) - 1
          if (n > 0) inFlight.set(key, n)
          else inFlight.delete(key)
          const queue = waiters.get(key)
          if (queue) {
            waiters.delete(key)
            for (const wake of queue) wake()
          }
        }
      }
    }
  }

  function remember(pair: string, now: number) {
    known.delete(pair)
    known.set(pair, now)
    while (known.size > opts.maxKnown) known.delete(known.keys().next().value!)
  }

  return {
    admit,
    prune() {
      const now = clock()
      opts.perAddress.prune(now)
      opts.perPair.prune(now)
      opts.perAccount.prune(now)
      for (const [pair, at] of known) {
        if (now - at < opts.knownForMs) break
        known.delete(pair)
      }
    },
    get inFlight() {
      return admitted
    }
  }
}
