// Keeps keys (sessions) in order of last activity and says who is due a warning or a kick: the
// memory session registry's index of activity, so its idle sweep visits only who is due.
import type { IdleSweep } from './ports.js'

export interface IdleTracker {
  /** Records activity: O(1), no timers. */
  touch(key: string, now?: number): void
  remove(key: string): void
  has(key: string): boolean
  /** The time of the key's last activity, if tracked. */
  lastActivity(key: string): number | undefined
  /** Returns who has just become due a warning, and who is due the kick (and forgets them). */
  sweep(now?: number): IdleSweep
  readonly size: number
}

/**
 * Two insertion-ordered maps keep keys in order of last activity (a touch re-inserts at the
 * end), so a sweep only visits the keys that are due, however many are tracked.
 */
export function createIdleTracker(
  opts: { warnMs: number; kickMs: number },
  clock: () => number = Date.now
): IdleTracker {
  if (!(opts.kickMs > opts.warnMs && opts.warnMs > 0)) throw new Error('need 0 < warnMs < kickMs')
  const fresh = new Map<string, number>()
  const warned = new Map<string, number>()
  return {
    touch(key, now = clock()) {
      warned.delete(key)
      fresh.delete(key)
      fresh.set(key, now)
    },
    remove(key) {
      warned.delete(key)
      fresh.delete(key)
    },
    has(key) {
      return fresh.has(key) || warned.has(key)
    },
    lastActivity(key) {
      return fresh.get(key) ?? warned.get(key)
    },
    sweep(now = clock()) {
      const result: IdleSweep = { warn: [], kick: [] }
      for (const [key, last] of warned) {
        if (now - last < opts.kickMs) break
        warned.delete(key)
        result.kick.push(key)
      }
      for (const [key, last] of fresh) {
        if (now - last < opts.warnMs) break
        fresh.delete(key)
        // A sweep that came late (a blocked event loop) may find someone past both limits.
        if (now - last >= opts.kickMs) {
          result.kick.push(key)
        } else {
          warned.set(key, last)
          result.warn.push({ key, kickInMs: last + opts.kickMs - now })
        }
      }
      return result
    },
    get size() {
      return fresh.size + warned.size
    }
  }
}
