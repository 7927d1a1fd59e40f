// Calls `fn` at most once per `intervalMs`: at once on the first poke, then once more at the end of the
// interval if poked meanwhile (so the last activity is not lost). The clock is injectable for tests.

export interface Timers {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
}

export interface Throttle {
  poke(): void
  cancel(): void
}

export function createThrottle(fn: () => void, intervalMs: number, timers: Timers = realTimers): Throttle {
  let lastCall = -Infinity
  let pending: unknown = null

  const fire = () => {
    pending = null
    lastCall = timers.now()
    fn()
  }

  return {
    poke() {
      if (pending !== null) return
      const wait = lastCall + intervalMs - timers.now()
      if (wait <= 0) fire()
      else pending = timers.setTimeout(fire, wait)
    },
    cancel() {
      if (pending !== null) timers.clearTimeout(pending)
      pending = null
    }
  }
}
