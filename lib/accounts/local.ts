// The accounts ports' local adapters: users in DATA_DIR/users.json, login and registration limits
// in this process's memory.
import { join } from 'node:path'
import type { Config } from '../shared/config.js'
import type { Adapters, RateLimit } from '../shared/ports.js'
import { createRateLimiter } from '../shared/rate-limiter.js'
import { openJsonUserStore } from './json-user-store.js'
import { createFailureBucket, createGrowingDelay, createLoginGuard } from './login-limits.js'
import type { LoginGuard, UserStore } from './ports.js'

export interface AccountsPorts {
  userStore: UserStore
  /** Failed logins: per address, per (account, address) pair, per account. */
  loginGuard: LoginGuard
  /** Registrations per client address (REGISTRATIONS_PER_HOUR). */
  registrationLimiter: RateLimit
}

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
/** How often the in-memory limits forget keys that are back to their initial state. */
export const PRUNE_EVERY_MS = 60_000

export async function createLocalAccounts(config: Config): Promise<Adapters<AccountsPorts>> {
  const userStore = await openJsonUserStore(join(config.dataDir, 'users.json'))
  // Only failures count: people who type their password right are never slowed down,
  // while guessing is held to a trickle once the burst is spent.
  const loginGuard = createLoginGuard({
    perAddress: createFailureBucket(config.loginFailuresPerMin, MINUTE),
    perPair: createGrowingDelay(PAIR_DELAY),
    perAccount: createFailureBucket(config.accountLoginFailuresPerHour, HOUR),
    knownForMs: KNOWN_ADDRESS_MS,
    maxKnown: MAX_KNOWN_PAIRS,
    maxWaitingPerKey: MAX_WAITING_PER_KEY
  })
  const registrations = createRateLimiter(config.registrationsPerHour / 3600, { burst: config.registrationsPerHour })
  const timer = setInterval(() => {
    loginGuard.prune()
    registrations.prune()
  }, PRUNE_EVERY_MS).unref()
  return {
    ports: { userStore, loginGuard, registrationLimiter: registrations },
    async close() {
      clearInterval(timer)
      await userStore.close()
    }
  }
}
