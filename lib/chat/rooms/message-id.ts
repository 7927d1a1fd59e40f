// Message ids: unique across restarts and sorting (as strings) in the order messages were accepted.

/** Width of the time part: base36 milliseconds, enough until the year 5188. */
const TIME_WIDTH = 9
/** Width of the counter part: 36^4 ids per millisecond before the time part is borrowed from. */
const COUNTER_WIDTH = 4
const COUNTER_LIMIT = 36 ** COUNTER_WIDTH
export const ID_PATTERN = /^[0-9a-z]{13}$/

export interface IdGenerator {
  next(): string
}

/**
 * Ids are `TTTTTTTTTCCCC`: the ms time and a counter, fixed-width base36, so string order is
 * numeric order. The time never goes back (a clock stepping back keeps using the last time
 * with a growing counter), and `after` (the greatest id already used, e.g. from the history
 * on disk) makes every new id sort after it, also when the clock is behind after a restart.
 */
export function createIdGenerator(clock: () => number = Date.now, after?: string): IdGenerator {
  let lastMs = -1
  let counter = 0
  if (after !== undefined && ID_PATTERN.test(after)) {
    lastMs = parseInt(after.slice(0, TIME_WIDTH), 36)
    counter = parseInt(after.slice(TIME_WIDTH), 36)
  }
  return {
    next() {
      const now = Math.floor(clock())
      if (now > lastMs) {
        lastMs = now
        counter = 0
      } else if (++counter >= COUNTER_LIMIT) {
        lastMs++
        counter = 0
      }
      return lastMs.toString(36).padStart(TIME_WIDTH, '0') + counter.toString(36).padStart(COUNTER_WIDTH, '0')
    }
  }
}
