// The knee rule, pure so test/unit/bench-knee.test.ts can pin it: a load step 'explodes' when its
// median delivery latency reaches KNEE_P50_FACTOR times the light-load median (issue 9's
// definition; and at least KNEE_P50_MIN_MS, so sub-millisecond timer noise cannot trip it), or
// when under KNEE_MIN_DELIVERED of its deliveries arrived within the drain time. A step whose
// generator was saturated says nothing about the server: if it explodes, the knee is not judged.
export const KNEE_P50_FACTOR = 4
export const KNEE_P50_MIN_MS = 2
export const KNEE_MIN_DELIVERED = 0.99
/** The generator is saturated when a worker's event loop was busy this much of the step, or the workers together used this many cores. */
export const GEN_BOUND_ELU = 0.9
export const GEN_BOUND_CORES = 0.9

/** Whether the generator, not the server, may have limited a step (from its window and the workers' event-loop use). */
export const isGenBound = ({ genCores, genElu }) => genElu >= GEN_BOUND_ELU || genCores >= GEN_BOUND_CORES

/**
 * The light-load median: the lowest p50 of the light and the 20-sender runs that delivered in
 * time. The lowest, because a busy machine only ever adds latency: one run slowed by other
 * processes must not raise the bar every later step is held to.
 */
export function lightReference(runs) {
  const p50s = runs.filter((r) => r.delivered >= KNEE_MIN_DELIVERED && r.p50 > 0).map((r) => r.p50)
  return p50s.length ? Math.min(...p50s) : NaN
}

/**
 * lightP50: median latency (ms) at light load (lightReference). steps: in order of rising load, each
 * { senders, deliveriesPerSec, p50, delivered, genBound, superseded? }; a superseded step (one
 * that exploded in a noisy window and was run again) is left out. Returns the verdict of every step
 * and the knee: the delivery rate of the last good step before the first that exploded.
 * status: 'exploded' (the knee is measured), 'not-reached' (no step exploded: the knee is above
 * the last step), 'gen-bound' (the first step to explode had a saturated generator: not judged),
 * 'no-light' (no light-load latency to compare with).
 */
export function findKnee(lightP50, steps) {
  if (!(lightP50 > 0)) return { status: 'no-light', deliveriesPerSec: NaN, limitP50: NaN, verdicts: steps.map(() => 'not judged') }
  const limitP50 = Math.max(KNEE_P50_MIN_MS, KNEE_P50_FACTOR * lightP50)
  const verdicts = []
  let knee = 0
  let kneeSenders = 0
  for (const s of steps) {
    if (s.superseded) {
      verdicts.push('superseded')
      continue
    }
    const exploded = !(s.delivered >= KNEE_MIN_DELIVERED) || !(s.p50 < limitP50)
    if (!exploded) {
      verdicts.push('ok')
      if (s.deliveriesPerSec > knee) (knee = s.deliveriesPerSec), (kneeSenders = s.senders)
      continue
    }
    verdicts.push(s.genBound ? 'gen-bound' : 'exploded')
    while (verdicts.length < steps.length) verdicts.push('not run')
    return { status: s.genBound ? 'gen-bound' : 'exploded', deliveriesPerSec: knee, kneeSenders, explodedAt: s.senders, limitP50, verdicts }
  }
  return { status: 'not-reached', deliveriesPerSec: knee, kneeSenders, limitP50, verdicts }
}

/**
 * Parley's knee target: >= 1.5x the floor's and >= 2x Socket.IO's. A knee that was not
 * measured exactly ('not-reached', 'gen-bound') is only a lower bound: it can prove a PASS for
 * Parley, or a FAIL against the other servers, never the reverse.
 */
export function judgeKneeTarget(parley, floor, socketio) {
  const exact = (k) => k?.status === 'exploded'
  const known = (k) => k && (k.status === 'exploded' || k.status === 'not-reached' || k.status === 'gen-bound') && Number.isFinite(k.deliveriesPerSec)
  if (!known(parley) || !known(floor) || !known(socketio)) return 'n/a'
  const verdicts = [
    [floor, 1.5],
    [socketio, 2]
  ].map(([other, factor]) => {
    const need = factor * other.deliveriesPerSec
    if (parley.deliveriesPerSec >= need) return exact(other) ? 'PASS' : 'not judged' // the other's knee may be higher
    return exact(parley) ? 'FAIL' : 'not judged' // Parley's own knee may be higher
  })
  if (verdicts.includes('FAIL')) return 'FAIL'
  return verdicts.every((v) => v === 'PASS') ? 'PASS' : 'not judged'
}
