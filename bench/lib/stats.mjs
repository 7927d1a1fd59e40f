// A small log-bucket histogram (2 % resolution) that merges across processes, and the
// median/min/max summary used to show the spread of repeated runs.
const GROWTH = 1.02
const LOG = Math.log(GROWTH)
const MIN = 0.001 // ms; anything faster lands in bucket 0

export function createHistogram() {
  return { counts: {}, n: 0, max: 0 }
}

export function record(h, ms) {
  const b = ms <= MIN ? 0 : Math.ceil(Math.log(ms / MIN) / LOG)
  h.counts[b] = (h.counts[b] ?? 0) + 1
  h.n++
  if (ms > h.max) h.max = ms
}

export function merge(into, h) {
  for (const [b, c] of Object.entries(h.counts)) into.counts[b] = (into.counts[b] ?? 0) + c
  into.n += h.n
  into.max = Math.max(into.max, h.max)
  return into
}

/** The q-quantile (0..1) in ms: the upper edge of the bucket holding it. */
export function quantile(h, q) {
  if (h.n === 0) return NaN
  const rank = Math.max(1, Math.ceil(q * h.n))
  const buckets = Object.keys(h.counts).map(Number).sort((a, b) => a - b)
  let seen = 0
  for (const b of buckets) {
    seen += h.counts[b]
    if (seen >= rank) return Math.min(h.max, MIN * GROWTH ** b)
  }
  return h.max
}

/** Median and range of repeated measurements (NaN-free). */
export function spread(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 }
  const mid = v.length >> 1
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2
  return { median, min: v[0], max: v[v.length - 1], n: v.length }
}
