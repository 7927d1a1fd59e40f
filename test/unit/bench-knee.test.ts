// The benchmark's knee rule (bench/lib/knee.mjs): issue 9's "median latency 4x its light-load
// value", the drain-time delivery criterion, and a saturated generator never judged as the server.
import t from 'tap'
import { findKnee, judgeKneeTarget, isGenBound, lightReference, KNEE_P50_FACTOR, KNEE_P50_MIN_MS } from '../../bench/lib/knee.mjs'

const step = (senders: number, p50: number, extra: { delivered?: number; genBound?: boolean } = {}) => ({
  senders,
  deliveriesPerSec: senders * 950,
  p50,
  delivered: extra.delivered ?? 1,
  genBound: extra.genBound ?? false
})

t.test('the knee is the last step whose median stays under 4x the light-load median', async (t) => {
  const k = findKnee(1.5, [step(5, 1.5), step(20, 2), step(40, 5.9), step(80, 6.0), step(160, 50)])
  t.equal(KNEE_P50_FACTOR, 4)
  t.equal(k.limitP50, 6)
  t.equal(k.status, 'exploded')
  t.equal(k.deliveriesPerSec, 40 * 950)
  t.equal(k.explodedAt, 80, '4x exactly counts as exploded')
  t.same(k.verdicts, ['ok', 'ok', 'ok', 'exploded', 'not run'])
})

t.test('deliveries missing after the drain time explode a step whatever its latency', async (t) => {
  const k = findKnee(1, [step(5, 1), step(20, 1.2), step(40, 1.3, { delivered: 0.98 })])
  t.equal(k.status, 'exploded')
  t.equal(k.deliveriesPerSec, 20 * 950)
})

t.test('sub-millisecond light latency: the limit has a floor', async (t) => {
  const k = findKnee(0.2, [step(5, 0.2), step(20, 1.9)])
  t.equal(k.limitP50, KNEE_P50_MIN_MS)
  t.equal(k.status, 'not-reached')
  t.equal(k.deliveriesPerSec, 20 * 950)
})

t.test('a step that explodes with the generator saturated is not judged', async (t) => {
  const k = findKnee(1, [step(5, 1), step(20, 1), step(40, 9, { genBound: true })])
  t.equal(k.status, 'gen-bound')
  t.equal(k.deliveriesPerSec, 20 * 950, 'only a lower bound')
  const calm = findKnee(1, [step(5, 1), step(20, 1, { genBound: true }), step(40, 1.1)])
  t.equal(calm.status, 'not-reached', 'a saturated generator at a good step changes nothing')
  t.equal(findKnee(NaN, [step(5, 1)]).status, 'no-light')
})

t.test('the generator is saturated by its event loop or by its cores', async (t) => {
  t.ok(isGenBound({ genCores: 0.3, genElu: 0.95 }))
  t.ok(isGenBound({ genCores: 0.95, genElu: 0.5 }))
  t.notOk(isGenBound({ genCores: 0.4, genElu: 0.3 }), 'a busy core shared with others is not the generator saturating')
})

t.test('the target: exact knees compare; lower bounds only prove what they can', async (t) => {
  const exact = (v: number) => ({ status: 'exploded' as const, deliveriesPerSec: v })
  const bound = (v: number, status: 'not-reached' | 'gen-bound' = 'not-reached') => ({ status, deliveriesPerSec: v })
  t.equal(judgeKneeTarget(exact(150), exact(100), exact(75)), 'PASS')
  t.equal(judgeKneeTarget(exact(149), exact(100), exact(50)), 'FAIL')
  t.equal(judgeKneeTarget(exact(150), exact(100), exact(76)), 'FAIL', 'under 2x Socket.IO')
  t.equal(judgeKneeTarget(bound(200), exact(100), exact(50)), 'PASS', 'a lower bound above the target passes')
  t.equal(judgeKneeTarget(bound(120), exact(100), exact(50)), 'not judged', 'a lower bound under it says nothing')
  t.equal(judgeKneeTarget(exact(140), bound(100, 'gen-bound'), exact(50)), 'FAIL', 'the floor can only be higher')
  t.equal(judgeKneeTarget(exact(160), bound(100, 'gen-bound'), exact(50)), 'not judged')
  t.equal(judgeKneeTarget(exact(160), undefined, exact(50)), 'n/a')
})

t.test('the light-load value is the lowest median of the runs that delivered in time', async (t) => {
  t.equal(lightReference([{ p50: 60, delivered: 1 }, { p50: 3, delivered: 1 }, { p50: 2.5, delivered: 1 }]), 2.5, 'one run slowed by other processes does not raise the bar')
  t.equal(lightReference([{ p50: 0.9, delivered: 0.7 }, { p50: 4, delivered: 1 }]), 4, 'a run that lost deliveries is no reference')
  t.ok(Number.isNaN(lightReference([{ p50: 1, delivered: 0.5 }])))
})

t.test('a superseded step (exploded while noisy, run again) is left out of the judgement', async (t) => {
  const noisy = { ...step(40, 30), superseded: true }
  const k = findKnee(1.5, [step(5, 1.5), step(20, 2), noisy, step(40, 3), step(80, 20)])
  t.equal(k.status, 'exploded')
  t.equal(k.deliveriesPerSec, 40 * 950, 'the rerun counts')
  t.same(k.verdicts, ['ok', 'ok', 'superseded', 'ok', 'exploded'])
})
