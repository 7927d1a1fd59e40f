// Reconnect delays: exponential backoff with full jitter, so a restarted server is not hit by every
// client at once (each waits a uniformly random time below the growing ceiling).

export interface BackoffOptions {
  /** Ceiling of the first retry. */
  baseMs: number
  /** The ceiling never grows past this. */
  maxMs: number
}

export const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 }

/** The ceiling of retry number `attempt` (0 = the first retry after a drop). */
export function backoffCeiling(attempt: number, { baseMs, maxMs }: BackoffOptions): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30))
}

/** A delay uniformly drawn from [0, ceiling): "full jitter". `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(attempt, options))
}
