// A socket's inbound allowance. Every frame, refused or not, spends from it before it is even
// parsed; refused frames are counted too, so a socket that keeps sending them can be closed.
import { createGcra } from '../../shared/rate-limiter.js'

export interface FrameBudgetOptions {
  /** Frames per second a socket may send in the long run (FRAME_BUDGET_PER_SEC). */
  framesPerSec: number
  /** Frames it may send at once (FRAME_BUDGET_BURST). */
  burst: number
  /** Refused frames per minute (a burst of as many) before the socket is closed (REFUSED_FRAMES_PER_MIN). */
  refusedPerMin: number
}

export interface FrameBudget {
  /** Spends one frame: 0 when within budget, else the ms until one would be. */
  spend(now: number): number
  /** Counts one refused frame: true when this one is over the allowance (close the socket). */
  refuse(now: number): boolean
}

export function createFrameBudget(opts: FrameBudgetOptions): FrameBudget {
  const frames = createGcra(opts.framesPerSec, { burst: opts.burst })
  const refusals = createGcra(opts.refusedPerMin / 60, { burst: opts.refusedPerMin })
  return {
    spend: (now) => frames.take(now),
    refuse: (now) => refusals.take(now) > 0
  }
}
