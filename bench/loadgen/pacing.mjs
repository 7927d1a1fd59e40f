// When each sender of a load step sends first: at a random phase within the period, but never
// sooner than one period after its last send of an earlier step. Steps follow each other within
// a second or two, so a random phase alone put a sender's first message of a step as little as
// a fraction of a period after its last one of the step before: a sender over the 1 message/s
// limit across the boundary (the rooms scenario's 19-20 refused messages in reps 2 and 3).

/** @param {number} t0 step start @param {number} periodMs @param {number | undefined} lastSentAt @param {number} random in [0, 1) */
export function firstDue(t0, periodMs, lastSentAt, random) {
  const phase = t0 + random * periodMs
  return lastSentAt === undefined ? phase : Math.max(phase, lastSentAt + periodMs)
}
